using System.Text.RegularExpressions;
using AdminConsole.Core.Domains;
using AdminConsole.Testing;
using MailEngine.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// Issue #16 in the browser: the sender check page (the engine's SPF/DKIM/DMARC on a pasted message,
/// DNS from a real BIND) at a laptop's and a phone's width, with errors beside the fields; and a
/// domain's handling of senders' DMARC policies on its spam page, saved twice in a row.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SenderAuthenticationTests(DnsCheckHost host, Browser browser) : IClassFixture<DnsCheckHost>, IClassFixture<Browser>, IDisposable
{
    private readonly SenderZone _sender = new();

    public void Dispose() => _sender.Dispose();

    private async Task<IPage> SignInAsync(string returnUrl, int width, int height)
    {
        var admin = await host.CreateAdminAsync($"senders-{Guid.NewGuid():N}@example.com");
        return await browser.SignInAsync(host, admin.Account.Email, admin.Password, returnUrl, new ViewportSize { Width = width, Height = height });
    }

    [Theory]
    [InlineData(1440, 900)]
    [InlineData(390, 844)]
    public async Task The_sender_check_shows_each_result_checks_again_and_says_what_is_wrong_beside_the_field(int width, int height)
    {
        await host.Bind.StartAsync(new Dictionary<string, string> { [SenderZone.Domain] = _sender.ZoneFile });
        var page = await SignInAsync("/diagnostics/auth-check", width, height);
        await Expect(page.Locator("#auth-check-result")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, $"auth-check-empty-{width}.png");

        await page.FillAsync("#auth-check-message", _sender.SignedMessage());
        await page.FillAsync("#auth-check-ip", SenderZone.SendingHost);
        await page.FillAsync("#auth-check-helo", SenderZone.Helo);
        await page.FillAsync("#auth-check-mail-from", $"sam@{SenderZone.Domain}");
        await page.ClickAsync("#auth-check-run");
        var table = page.Locator("#auth-check-table");
        await Expect(table.Locator("[data-check='spf-mail-from'] [data-result]")).ToHaveTextAsync("pass");
        await Expect(table.Locator("[data-check='dkim'] [data-result]")).ToHaveTextAsync("pass");
        await Expect(table.Locator("[data-check='dmarc'] [data-result]")).ToHaveTextAsync("pass");
        await Expect(page.Locator("#auth-check-header")).ToContainTextAsync("dmarc=pass (p=reject dis=none) header.from=sender.test");
        await Expect(table.Locator("[data-check='arc'] [data-result]")).ToHaveTextAsync("none");
        await Expect(page.Locator("#auth-check-symbols")).ToContainTextAsync("DKIM_VALID_AU");
        await Browser.ScreenshotAsync(page, $"auth-check-pass-{width}.png");
        Assert.True(await OverflowAsync(page) <= 0, "the results are wider than the screen");

        // Again from another host: SPF fails, DKIM still carries DMARC.
        await page.FillAsync("#auth-check-ip", "203.0.113.9");
        await page.ClickAsync("#auth-check-run");
        await Expect(table.Locator("[data-check='spf-mail-from'] [data-result]")).ToHaveTextAsync("fail");
        await Expect(table.Locator("[data-check='dmarc'] [data-result]")).ToHaveTextAsync("pass");
        await Expect(page.Locator("#auth-check-symbols")).ToContainTextAsync("SPF_FAIL");

        // A bad address: the message beside the field, and no stale results beside it.
        await page.FillAsync("#auth-check-ip", "not an address");
        await page.ClickAsync("#auth-check-run");
        await Expect(page.Locator(".mud-input-control", new() { Has = page.Locator("#auth-check-ip") }).Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("IPv4 or IPv6");
        await Expect(page.Locator("#auth-check-result")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, $"auth-check-error-{width}.png");
        Assert.True(await OverflowAsync(page) <= 0, "the page is wider than the screen");
    }

    private static Task<int> OverflowAsync(IPage page) => page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");

    [Fact]
    public async Task A_domains_handling_of_failing_DMARC_is_saved_twice_in_a_row_and_its_symbols_are_listed()
    {
        const string domain = "dmarc-handling.test";
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DomainService>().CreateAsync(domain, new DomainChanges(), "test", null);
        var page = await SignInAsync($"/domains/{domain}/spam", 1440, 900);
        await Expect(page.Locator("#inbound-dmarc-enforce")).ToBeCheckedAsync();

        await Expect(page.Locator("#inbound-arc-sealers")).ToHaveValueAsync("");
        foreach (var (choice, expected) in new[] { ("#inbound-dmarc-monitor", DmarcEnforcement.Monitor), ("#inbound-dmarc-quarantine", DmarcEnforcement.Quarantine) })
        {
            await page.Locator(choice).ClickAsync();
            await page.FillAsync("#inbound-arc-sealers", "Lists.Example.ORG, bücher.example lists.example.org");
            await page.ClickAsync("#inbound-dmarc-save");
            await Expect(page.Locator("#inbound-dmarc-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
            await Expect(page.Locator("#inbound-dmarc-error")).ToHaveCountAsync(0);
            // Shown as saved: lower case, A-labels, each once.
            await Expect(page.Locator("#inbound-arc-sealers")).ToHaveValueAsync("lists.example.org xn--bcher-kva.example");
            await using var db = host.Database.CreateContext();
            var saved = db.Domains.Single(d => d.Name == domain);
            Assert.Equal(expected, saved.InboundDmarc);
            Assert.Equal(["lists.example.org", "xn--bcher-kva.example"], saved.TrustedArcSealers);
        }

        // A name that is no domain: the message beside the field, and nothing saved.
        await page.FillAsync("#inbound-arc-sealers", "lists.example.org not_a/domain");
        await page.Locator("#inbound-dmarc-monitor").ClickAsync();
        await page.ClickAsync("#inbound-dmarc-save");
        await Expect(page.Locator(".mud-input-control", new() { Has = page.Locator("#inbound-arc-sealers") }).Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("not_a/domain");
        await page.Locator("#inbound-dmarc").ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "inbound-dmarc-error.png") });
        await using (var db = host.Database.CreateContext())
            Assert.Equal((DmarcEnforcement.Quarantine, 2), (db.Domains.Single(d => d.Name == domain).InboundDmarc, db.Domains.Single(d => d.Name == domain).TrustedArcSealers.Count));
        await page.FillAsync("#inbound-arc-sealers", "lists.example.org xn--bcher-kva.example");
        await page.Locator("#inbound-dmarc-quarantine").ClickAsync();
        await page.ClickAsync("#inbound-dmarc-save");
        await Expect(page.Locator("#inbound-dmarc-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);

        // The authentication symbols are rules like the others: listed with their score, adjustable here.
        await page.FillAsync("#spam-rule-filter", "DMARC_");
        await Expect(page.Locator("#spam-rules")).ToContainTextAsync("DMARC_POLICY_REJECT");
        await Expect(page.Locator("#spam-rules")).ToContainTextAsync("auth");
        await page.Locator("#inbound-dmarc").ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "inbound-dmarc.png") });

        // After a reload the saved choice is what the page shows.
        await page.ReloadAsync();
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.Locator("#inbound-dmarc-quarantine")).ToBeCheckedAsync();
        await Expect(page.Locator("#inbound-arc-sealers")).ToHaveValueAsync("lists.example.org xn--bcher-kva.example");

        // At a phone's width the panel fits.
        await page.SetViewportSizeAsync(390, 844);
        await page.Locator("#inbound-dmarc").ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "inbound-dmarc-390.png") });
        Assert.True(await OverflowAsync(page) <= 0, "the page is wider than the screen");
    }
}
