using AdminConsole.Testing;
using MailEngine.Server.Tests;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>The console with its in-process engine off and two mailengine-nodes, as the Engine page shows them.</summary>
public sealed class TwoNodeConsoleHost : ConsoleHost
{
    private EngineNodePair? _pair;

    public EngineNodeProcess[] Nodes => _pair!.Nodes;

    protected override IReadOnlyDictionary<string, string> Settings => _pair!.ConsoleSettings;

    public override async Task InitializeAsync()
    {
        _pair = await EngineNodePair.StartAsync();
        try
        {
            await base.InitializeAsync();
        }
        catch
        {
            _pair.Dispose(); // a fixture whose InitializeAsync throws is not disposed
            throw;
        }
    }

    public override async Task DisposeAsync()
    {
        _pair?.Dispose();
        await base.DisposeAsync();
    }
}

public sealed class EngineNodesPageTests(TwoNodeConsoleHost host, Browser browser) : IClassFixture<TwoNodeConsoleHost>, IClassFixture<Browser>
{
    [Fact]
    public async Task The_engine_page_lists_both_nodes_and_says_which_one_cannot_be_reached()
    {
        var admin = await host.CreateAdminAsync("engine-nodes@example.com");
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Factory.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync("/signin?returnUrl=%2Fengine");
        await page.FillAsync("#email", admin.Account.Email);
        await page.FillAsync("#password", admin.Password);
        await page.ClickAsync("#signin-submit");
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");

        // Both nodes run the published version (the page refreshes itself every 5 seconds).
        var mx1 = page.Locator("tr.engine-node[data-node='mx1']");
        var mx2 = page.Locator("tr.engine-node[data-node='mx2']");
        await Expect(mx1.Locator(".node-state")).ToHaveTextAsync("applied", new() { Timeout = 60_000 });
        await Expect(mx2.Locator(".node-state")).ToHaveTextAsync("applied", new() { Timeout = 60_000 });
        await Expect(page.Locator("#engine-sync")).ToHaveTextAsync("applied");

        // mx2 stops: its row says so, with the follower's error, and the whole is no longer in sync.
        host.Nodes[1].Kill();
        await Expect(mx2.Locator(".node-state")).ToHaveTextAsync("unreachable", new() { Timeout = 60_000 });
        await Expect(mx2.Locator(".node-error")).ToContainTextAsync("cannot be reached");
        await Expect(mx1.Locator(".node-state")).ToHaveTextAsync("applied");

        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "engine-nodes.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844); // a phone: the nodes table scrolls sideways, nothing is cut off
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "engine-nodes-phone.png"), FullPage = true });
        await context.CloseAsync();
    }
}
