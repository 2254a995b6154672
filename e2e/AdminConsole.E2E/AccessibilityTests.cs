using AdminConsole.Core.Domains;
using AdminConsole.Testing;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// axe-core (WCAG 2.2 A and AA rules) on every page an admin, a mailbox user and a visitor sees, at a
/// laptop's and a phone's width: no serious or critical violation, and one h1 in a main landmark.
/// </summary>
public sealed class AccessibilityTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private const string Domain = "a11y.test";

    private static readonly AxeRunOptions Options = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    };

    private async Task SeedAsync()
    {
        await using var scope = host.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Data.AdminDbContext>();
        if (await db.FindDomainAsync(Domain) is null)
        {
            await host.Database.SeedAsync(Domain, new MailboxSeed("ada", "ada's long password"));
            await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Groups.GroupService>().CreateAsync($"team@{Domain}", "The team", [$"ada@{Domain}", "outside@example.org"], "test", null);
        }
    }

    /// <summary>Runs axe on the page as it is now and fails with each serious or critical violation, its nodes and how to fix it.</summary>
    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        await Expect(page.Locator("main")).ToHaveCountAsync(1);
        await Expect(page.Locator("h1")).ToHaveCountAsync(1);
        // Colours at rest: a chip still fading from the light to the dark theme's colour (MudBlazor
        // transitions backgrounds) measured mid-way once, 3.98:1. Stopping transitions ends them at once.
        await page.AddStyleTagAsync(new() { Content = "*, *::before, *::after { transition: none !important; animation: none !important; }" });
        var results = await page.RunAxe(Options);
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{what}: " + string.Join("\n", serious.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Take(5).Select(n => $"{n.Target?.Selector} {string.Join(" ", (n.Any ?? []).Concat(n.All ?? []).Select(c => c.Message))}"))}")));
    }

    public static TheoryData<string, int> AdminPages() => new()
    {
        { "/", 1440 }, { "/", 390 },
        { "/domains", 1440 }, { "/domains", 390 },
        { $"/domains/{Domain}/dns", 1440 }, { $"/domains/{Domain}/dns", 390 },
        { $"/domains/{Domain}/spam", 1440 },
        { "/mailboxes", 1440 }, { "/mailboxes", 390 },
        { "/mailboxes/new", 1440 },
        { $"/mailboxes/ada@{Domain}", 1440 }, { $"/mailboxes/ada@{Domain}", 390 },
        { "/mailboxes/import", 1440 },
        { "/groups", 1440 }, { "/groups", 390 },
        { "/engine", 1440 },
        { "/certificates", 1440 }, { "/certificates", 390 },
        { "/alerts", 1440 }, { "/alerts", 390 },
        { "/queue", 1440 }, { "/queue", 390 },
        { "/health", 1440 }, { "/health", 390 },
        { "/diagnostics/scanner", 1440 },
        { "/audit", 1440 },
        { "/admins", 1440 }, { "/admins", 390 },
        { $"/mailboxes?domain={Domain}", 390 },
        { "/security", 1440 },
        { "/tokens", 1440 },
        { "/no-such-page", 1440 },
    };

    [Theory]
    [MemberData(nameof(AdminPages))]
    public async Task Every_admin_page_has_no_serious_accessibility_violation(string path, int width)
    {
        await SeedAsync();
        var admin = await host.CreateAdminAsync($"a11y-{Guid.NewGuid():N}@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, path, new ViewportSize { Width = width, Height = width > 600 ? 900 : 844 });
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await AssertAccessibleAsync(page, $"{path} at {width} px");
    }

    [Theory]
    [InlineData("/account", 1440)]
    [InlineData("/account", 390)]
    [InlineData("/account/filters", 1440)]
    public async Task Every_mailbox_user_page_has_no_serious_accessibility_violation(string path, int width)
    {
        await SeedAsync();
        var page = await browser.SignInAsync(host, $"ada@{Domain}", "ada's long password", path, new ViewportSize { Width = width, Height = width > 600 ? 900 : 844 });
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await AssertAccessibleAsync(page, $"{path} at {width} px");
    }

    [Fact]
    public async Task The_sign_in_page_and_a_mistyped_address_have_no_serious_accessibility_violation()
    {
        var context = await browser.Instance!.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Factory.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await AssertAccessibleAsync(page, "/signin");

        // A mistyped address: the console's page, still a 404, not the server's plain text.
        var response = await page.GotoAsync("/signin/nowhere");
        Assert.Equal(404, response!.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Not found");
        await AssertAccessibleAsync(page, "/signin/nowhere");
        await Browser.ScreenshotAsync(page, "not-found.png");
        await context.CloseAsync();
    }

    [Fact]
    public async Task Dark_mode_follows_the_system_until_toggled_and_the_choice_is_kept_for_the_user()
    {
        await SeedAsync();
        var admin = await host.CreateAdminAsync($"dark-{Guid.NewGuid():N}@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, "/domains", new ViewportSize { Width = 1440, Height = 900 });
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("aria-pressed", "false");

        // The system turns dark: the console follows (prefers-color-scheme), and stays readable.
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        await AssertAccessibleAsync(page, "/domains, dark");
        await Browser.ScreenshotAsync(page, "domains-dark-1440.png");

        // Toggled to light: kept across a reload although the system is still dark.
        await page.ClickAsync("#theme-toggle");
        await Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("aria-pressed", "false");
        await page.ReloadAsync();
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("aria-pressed", "false");

        // And back to dark, on another page.
        await page.ClickAsync("#theme-toggle");
        await page.GotoAsync("/");
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        await AssertAccessibleAsync(page, "/, dark");
    }
}
