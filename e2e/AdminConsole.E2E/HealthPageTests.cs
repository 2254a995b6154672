using AdminConsole.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>The Health page (#19 item 7): the readiness checks in words, and every listener probed for its greeting, at a laptop's and a phone's width.</summary>
public sealed class HealthPageTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    [Theory]
    [InlineData(1440)]
    [InlineData(390)]
    public async Task The_checks_are_shown_and_every_listener_greets_when_probed(int width)
    {
        await host.WaitForEngineAsync(_ => true, "the first snapshot");
        var admin = await host.CreateAdminAsync($"health-{Guid.NewGuid():N}@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, "/health", new ViewportSize { Width = width, Height = width > 600 ? 900 : 844 });
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");

        foreach (var check in new[] { "postgresql", "engine-nodes", "scanner", "queue", "disk-space", "certificates" })
            await Expect(page.Locator($"[data-check='{check}']")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-check='postgresql']")).ToHaveAttributeAsync("data-status", "healthy");
        await Expect(page.Locator("[data-check='engine-nodes']")).ToContainTextAsync("engine node(s) run snapshot");

        await page.ClickAsync("#health-probe");
        foreach (var listener in new[] { "mx", "submission", "submissions", "imap", "imaps" })
            await Expect(page.Locator($"[data-listener='local/{listener}']")).ToHaveAttributeAsync("data-answered", "true");
        await Expect(page.Locator("[data-listener='local/imaps']")).ToContainTextAsync("* OK");
        await Expect(page.Locator("[data-listener='local/submissions']")).ToContainTextAsync("Tls");

        var overflow = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the screen");
        await Browser.ScreenshotAsync(page, $"health-{width}.png");
    }
}
