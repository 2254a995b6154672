using AdminConsole.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

public sealed class EnginePageTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    [Fact]
    public async Task The_engine_page_shows_the_desired_version_applied_and_the_listeners()
    {
        var admin = await host.CreateAdminAsync("engine-page@example.com");
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Factory.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);

        await page.GotoAsync("/signin?returnUrl=%2Fengine");
        await page.FillAsync("#email", admin.Account.Email);
        await page.FillAsync("#password", admin.Password);
        await page.ClickAsync("#signin-submit");

        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.Locator("h1", new() { HasText = "Mail engine" })).ToBeVisibleAsync();
        // The first push happens at start; the page refreshes itself every 5 seconds.
        await Expect(page.Locator("#engine-sync")).ToHaveTextAsync("applied", new() { Timeout = 30_000 });
        var desired = await page.Locator("#desired-version").TextContentAsync();
        await Expect(page.Locator("#applied-version")).ToHaveTextAsync(desired!);
        await Expect(page.Locator("#queue-length")).ToHaveTextAsync("0");
        await Expect(page.Locator("body")).ToContainTextAsync("127.0.0.1:");

        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "engine.png"), FullPage = true });
    }

    [Fact]
    public async Task The_scanner_page_shows_the_tier_and_its_reason_and_the_self_test_finds_every_tier_in_agreement()
    {
        var admin = await host.CreateAdminAsync("scanner-page@example.com");
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Factory.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);

        await page.GotoAsync("/signin?returnUrl=%2Fdiagnostics%2Fscanner");
        await page.FillAsync("#email", admin.Account.Email);
        await page.FillAsync("#password", admin.Password);
        await page.ClickAsync("#signin-submit");

        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.Locator("#scanner-tier-name")).ToHaveTextAsync("native");
        await Expect(page.Locator("#scanner-reason")).ToContainTextAsync("Hyperscan 5.4.0 accepts this CPU");
        await Expect(page.Locator("#scanner-dbinfo")).ToContainTextAsync("Version: 5.4.0 Features:");

        await page.ClickAsync("#scanner-run-selftest");
        // The self-test scans the built-in corpus with every tier, the managed one slowest: a computation
        // that takes 10-20 s alone and over a minute beside the other test projects on two busy cores.
        await Expect(page.Locator("#scanner-agreement")).ToHaveTextAsync("Every tier raised the same symbols on every message.", new() { Timeout = 240_000 });
        await Expect(page.Locator("#scanner-selftest-results tr[data-tier]")).ToHaveCountAsync(3);

        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "scanner.png"), FullPage = true });
    }
}
