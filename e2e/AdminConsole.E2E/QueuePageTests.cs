using AdminConsole.Core.Queue;
using AdminConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// The Queue page (#19 item 5) over an engine whose remote exchanger refuses connections: a deferred
/// message with its reply, retried and deleted from the page, at a laptop's and a phone's width.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class QueuePageTests(QueueHost host, Browser browser) : IClassFixture<QueueHost>, IClassFixture<Browser>
{
    private async Task<string> DeferredAsync(string sender, string subject)
    {
        await host.SendToRemoteAsync(sender, subject);
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            await using var scope = host.Factory.Services.CreateAsyncScope();
            var listing = await scope.ServiceProvider.GetRequiredService<MailQueueService>().ListAsync(sender.Split('@')[1], "deferred", CancellationToken.None);
            if (listing.Messages.FirstOrDefault(m => m.Attempts >= 1) is { } found) return found.QueueId;
            Assert.True(DateTime.UtcNow < deadline, $"nothing from {sender} was deferred");
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(390)]
    public async Task A_deferred_message_shows_why_and_is_retried_then_deleted_from_the_page(int width)
    {
        var sender = await host.SenderAsync();
        var queueId = await DeferredAsync(sender, $"stuck at {width}");
        var admin = await host.CreateAdminAsync($"queue-{Guid.NewGuid():N}@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, $"/queue?domain={sender.Split('@')[1]}", new ViewportSize { Width = width, Height = width > 600 ? 900 : 844 });
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");

        var row = page.Locator($"[data-queue-id='{queueId}']");
        await Expect(row).ToHaveAttributeAsync("data-state", "deferred");
        await Expect(page.Locator("#queue-table")).ToContainTextAsync($"rita@{QueueHost.RemoteDomain}");
        await Expect(page.Locator($"[data-reply='rita@{QueueHost.RemoteDomain}']")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("#queue-domain")).ToHaveValueAsync(sender.Split('@')[1]);
        var overflow = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the screen");
        await Browser.ScreenshotAsync(page, $"queue-{width}.png");

        await page.ClickAsync($"[data-retry='{queueId}']");
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("is being tried now");

        await page.ClickAsync($"[data-delete='{queueId}']");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("was deleted");
        await Expect(row).ToHaveCountAsync(0);
        await Expect(page.Locator("#queue-empty")).ToContainTextAsync("No queued message matches");
    }
}
