using AdminConsole.Core.Alerts;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// The Alerts page (#19): its empty state, channels added (and refused beside their fields) twice in
/// a row, a real alert (a domain's DNS check with broken records, evaluated by the job) firing,
/// silenced and acknowledged on the page, at a laptop's and a phone's width.
/// </summary>
public sealed class AlertsPageTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private async Task<IPage> OpenAsync(int width)
    {
        var admin = await host.CreateAdminAsync($"alerts-{Guid.NewGuid():N}@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, "/alerts", new ViewportSize { Width = width, Height = width > 600 ? 900 : 844 });
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        return page;
    }

    private async Task FireDnsAlertAsync(string domain)
    {
        await host.Database.SeedAsync(domain);
        await using (var db = host.Database.CreateContext())
        {
            var d = await db.Domains.SingleAsync(x => x.Name == domain);
            db.DnsChecks.Add(new Core.Dns.DnsCheck { Id = Guid.NewGuid(), DomainId = d.Id, CheckedAt = DateTimeOffset.UtcNow, Broken = 3, Result = "{}" });
            await db.SaveChangesAsync();
        }

        await using var scope = host.Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AlertEvaluationJob>().RunAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Channels_are_refused_beside_their_fields_and_two_added_in_a_row_are_both_kept()
    {
        var page = await OpenAsync(1440);
        await page.FillAsync("#channel-recipients", "not an address");
        await page.ClickAsync("#channel-save");
        await Expect(page.Locator("#channel-form")).ToContainTextAsync("Give the channel a name");
        await Expect(page.Locator("#channel-form")).ToContainTextAsync("not an address");

        var suffix = Guid.NewGuid().ToString("N")[..6];
        foreach (var (name, address) in new[] { ($"ops-{suffix}", "ops@example.test"), ($"oncall-{suffix}", "oncall@example.test") })
        {
            await page.FillAsync("#channel-name", name);
            await page.FillAsync("#channel-recipients", address);
            await page.ClickAsync("#channel-save");
            await Expect(page.Locator($"[data-channel='{name}']")).ToContainTextAsync(address);
        }

        await page.SelectOptionAsync("#channel-kind", new SelectOptionValue { Label = "webhook" });
        await page.FillAsync("#channel-name", $"chat-{suffix}");
        await page.FillAsync("#channel-url", "https://hooks.example.test/services/T000/B000/secret-part");
        await page.SelectOptionAsync("#channel-format", new SelectOptionValue { Label = "Slack" });
        await page.ClickAsync("#channel-save");
        await Expect(page.Locator($"[data-channel='chat-{suffix}']")).ToContainTextAsync("slack webhook to https://hooks.example.test");
        await Expect(page.Locator("#alerts-channels")).Not.ToContainTextAsync("secret-part");

        await using var db = host.Database.CreateContext();
        Assert.Equal(3, await db.AlertChannels.CountAsync(c => c.Name.EndsWith(suffix)));
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(390)]
    public async Task A_firing_alert_is_silenced_and_acknowledged_on_the_page(int width)
    {
        var domain = $"alerts{width}-{Guid.NewGuid():N}"[..20] + ".test";
        var subject = $"domain={domain}";
        await FireDnsAlertAsync(domain);
        var page = await OpenAsync(width);
        var row = page.Locator($"[data-alert='DnsRecordsBroken'][data-subject='{subject}']");
        await Expect(row).ToHaveAttributeAsync("data-status", "firing");
        await Expect(page.Locator("#alerts-table")).ToContainTextAsync($"3 DNS record(s) of {domain} are missing or wrong");

        // A silence without a reason is refused beside the field; then made from the alert's own button.
        await page.ClickAsync($"[data-silence='{subject}']");
        await Expect(page.Locator("#silence-subject")).ToHaveValueAsync(subject);
        await page.ClickAsync("#silence-save");
        await Expect(page.Locator("#silence-form")).ToContainTextAsync("Say why");
        await page.FillAsync("#silence-reason", "moving the zone to a new provider");
        await page.ClickAsync("#silence-save");
        await Expect(page.Locator($"[data-silenced='{subject}']")).ToContainTextAsync("silenced until");
        await Expect(page.Locator("#alerts-silences")).ToContainTextAsync("moving the zone to a new provider");

        await page.ClickAsync($"[data-acknowledge='{subject}']");
        await Expect(page.Locator($"[data-acknowledged='{subject}']")).ToContainTextAsync("Acknowledged by");
        await Expect(page.Locator($"[data-acknowledge='{subject}']")).ToHaveCountAsync(0);

        await Browser.ScreenshotAsync(page, $"alerts-{width}.png");
        var overflow = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");
        var widest = await page.EvaluateAsync<string>("[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(-3).map(e => e.tagName + '#' + e.id + '.' + e.className).join(' | ')");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the screen: {widest}");
    }
}
