using AdminConsole.Core.Domains;
using AdminConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>The DNS page of a domain: every record with a copy button, at a laptop's and a phone's width.</summary>
public sealed class DnsPageTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private async Task<IPage> SignInAsync(string returnUrl, int width, int height)
    {
        var admin = await host.CreateAdminAsync($"dns-{Guid.NewGuid():N}@example.com");
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.Factory.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.FillAsync("#email", admin.Account.Email);
        await page.FillAsync("#password", admin.Password);
        await page.ClickAsync("#signin-submit");
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        return page;
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }

    [Theory]
    [InlineData(1440, 900)]
    [InlineData(390, 844)]
    public async Task The_DNS_page_lists_every_record_copies_a_value_and_fits_the_screen(int width, int height)
    {
        var domain = $"dns{width}.test";
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DomainService>().CreateAsync(domain, new DomainChanges(), "test", null);
        var page = await SignInAsync($"/domains/{domain}/dns", width, height);

        await Expect(page.Locator("#dns-title")).ToHaveTextAsync($"DNS records of {domain}");
        var table = page.Locator("#dns-records");
        await Expect(table).ToContainTextAsync("v=spf1 mx -all");
        await Expect(table).ToContainTextAsync($"_dmarc.{domain}");
        await Expect(page.Locator(".dns-value[data-type='TXT']", new() { HasText = "k=ed25519" })).ToHaveCountAsync(1);
        await Expect(page.Locator(".dns-value[data-type='TXT']", new() { HasText = "k=rsa" })).ToHaveCountAsync(1);

        await page.Locator($"[data-copy='_dmarc.{domain}']").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Copied.");
        Assert.Equal($"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}", await page.EvaluateAsync<string>("navigator.clipboard.readText()"));

        // Long DKIM keys wrap instead of pushing the page sideways.
        var overflow = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the screen");
        await Expect(page.Locator("#dns-zone-download")).ToHaveAttributeAsync("href", $"/api/v1/domains/{domain}/dns/zone");
        await ScreenshotAsync(page, $"dns-{width}.png");

        // The zone file downloads with the browser's own session.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#dns-zone-download").ClickAsync());
        var text = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains($"$ORIGIN {domain}.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_domain_says_so_on_the_page()
    {
        var page = await SignInAsync("/domains/nowhere.test/dns", 1440, 900);
        await Expect(page.Locator("#dns-error")).ToContainTextAsync("No domain nowhere.test");
    }
}
