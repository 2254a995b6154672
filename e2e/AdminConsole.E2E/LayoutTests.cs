using AdminConsole.Core.Domains;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// The lists fit a laptop and a phone (#20 item 4): no sideways scrolling of the page or the table,
/// every row's actions on screen, and each row opened from the keyboard alone.
/// </summary>
public sealed class LayoutTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private const string Domain = "a-rather-long-domain-name.example";

    private async Task SeedAsync()
    {
        await using var scope = host.Factory.Services.CreateAsyncScope();
        if (await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Data.AdminDbContext>().FindDomainAsync(Domain) is not null) return;
        await host.Database.SeedAsync(Domain, new MailboxSeed("margaret.hamilton", "a long password here", "Margaret Hamilton"), new MailboxSeed("grace", "a long password here"));
        await scope.ServiceProvider.GetRequiredService<DomainService>().UpdateAsync(Domain, new DomainChanges(Description: "Where the long names live", CatchAllAddress: $"grace@{Domain}"), null, "test", null);
        await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Groups.GroupService>().CreateAsync($"everyone-in-the-company@{Domain}", "All staff",
            [$"margaret.hamilton@{Domain}", $"grace@{Domain}", "external.partner.with.a.long.address@partner-company.example"], "test", null);
    }

    private async Task<IPage> OpenAsync(string path, int width)
    {
        await SeedAsync();
        var admin = await host.CreateAdminAsync($"layout-{Guid.NewGuid():N}@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, path, new ViewportSize { Width = width, Height = width > 600 ? 900 : 844 });
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        return page;
    }

    private static async Task AssertFitsAsync(IPage page, string what)
    {
        var overflow = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");
        Assert.True(overflow <= 0, $"{what}: the page is {overflow} px wider than the screen");
        var tableOverflow = await page.EvaluateAsync<int>("Math.max(0, ...[...document.querySelectorAll('.mud-table-container')].map(c => c.scrollWidth - c.clientWidth))");
        Assert.True(tableOverflow <= 1, $"{what}: a table is {tableOverflow} px wider than its column");
    }

    private static async Task AssertOnScreenAsync(IPage page, ILocator control, string what)
    {
        await Expect(control).ToBeVisibleAsync();
        var box = await control.BoundingBoxAsync();
        var width = page.ViewportSize!.Width;
        Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= width, $"{what} is off the screen (x {box?.X}, width {box?.Width}, screen {width})");
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(390)]
    public async Task Domains_fit_with_their_actions_and_a_row_opens_from_the_keyboard(int width)
    {
        var page = await OpenAsync("/domains", width);
        await Expect(page.Locator("#domain-table")).ToContainTextAsync(Domain);
        await AssertFitsAsync(page, $"/domains at {width}");
        foreach (var action in new[] { $"[data-dns='{Domain}']", $"[data-spam='{Domain}']", $"[data-delete='{Domain}']" })
            await AssertOnScreenAsync(page, page.Locator(action), $"{action} at {width}");
        await Expect(page.Locator($"[data-spam='{Domain}']")).ToContainTextAsync("Spam");

        await page.Locator($"[data-open='{Domain}']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#domain-name")).ToHaveValueAsync(Domain);
        await AssertFitsAsync(page, $"/domains at {width}, editing");
        await Browser.ScreenshotAsync(page, $"domains-{width}.png");
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(390)]
    public async Task Groups_fit_with_their_actions_and_a_row_opens_from_the_keyboard(int width)
    {
        var page = await OpenAsync("/groups", width);
        var group = $"everyone-in-the-company@{Domain}";
        await Expect(page.Locator("#group-table")).ToContainTextAsync(group);
        await AssertFitsAsync(page, $"/groups at {width}");
        await AssertOnScreenAsync(page, page.Locator($"[data-delete='{group}']"), $"delete at {width}");

        await page.Locator($"[data-open='{group}']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#group-description")).ToHaveValueAsync("All staff");
        await AssertFitsAsync(page, $"/groups at {width}, editing");
        await Browser.ScreenshotAsync(page, $"groups-{width}.png");
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(390)]
    public async Task Mailboxes_fit_and_a_mailbox_opens_from_the_keyboard(int width)
    {
        var page = await OpenAsync("/mailboxes", width);
        var address = $"margaret.hamilton@{Domain}";
        await Expect(page.Locator("#mailbox-grid")).ToContainTextAsync(address);
        await AssertFitsAsync(page, $"/mailboxes at {width}");

        await page.Locator($"[data-open='{address}']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#mailbox-title")).ToHaveTextAsync(address);
        await AssertFitsAsync(page, $"the mailbox page at {width}");
        await Browser.ScreenshotAsync(page, $"mailbox-{width}.png");
        await page.GoBackAsync();
        await Expect(page.Locator("#mailbox-grid")).ToContainTextAsync(address);
        await Browser.ScreenshotAsync(page, $"mailboxes-{width}.png");
    }

    [Theory]
    [InlineData(1440)]
    [InlineData(390)]
    public async Task My_account_fits_and_shows_the_mail_app_settings_and_the_autoconfig_it_links_answers(int width)
    {
        await SeedAsync();
        var address = $"margaret.hamilton@{Domain}";
        var page = await browser.SignInAsync(host, address, "a long password here", "/account", new ViewportSize { Width = width, Height = width > 600 ? 900 : 844 });
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        var table = page.Locator("#mail-client-table");
        await Expect(page.Locator("#mail-client-host")).ToHaveTextAsync("mx.console.test");
        await Expect(table.Locator("[data-service='imap']")).ToContainTextAsync("993");
        await Expect(table.Locator("[data-service='smtp']")).ToContainTextAsync("465");
        await Expect(table.Locator("[data-service='managesieve']")).ToContainTextAsync("4190");
        await Expect(page.Locator("#mail-client-user")).ToHaveTextAsync(address);
        await AssertFitsAsync(page, $"/account at {width}");
        await Browser.ScreenshotAsync(page, $"account-{width}.png");

        // The linked file is the autoconfig Thunderbird reads, with the same servers.
        var href = await page.Locator("#mail-client-autoconfig").GetAttributeAsync("href");
        var xml = await page.APIRequest.GetAsync(href!);
        Assert.Equal(200, xml.Status);
        var text = await xml.TextAsync();
        Assert.Contains("<hostname>mx.console.test</hostname>", text, StringComparison.Ordinal);
        Assert.Contains("<port>993</port>", text, StringComparison.Ordinal);
    }

    /// <summary>Presses Tab until <paramref name="selector"/> has the focus: the element is reachable by keyboard alone, in page order.</summary>
    private static async Task TabToAsync(IPage page, string selector, int most = 120)
    {
        for (var i = 0; i < most; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector)) return;
        }

        Assert.Fail($"{selector} was not reached with {most} presses of Tab");
    }

    [Fact]
    public async Task The_keyboard_alone_edits_a_domain_and_a_group_and_opens_a_mailbox()
    {
        // Its own domain: what it types must not change what the other tests of the class read.
        const string Domain = "keyboard.example";
        await host.Database.SeedAsync(Domain, new MailboxSeed("margaret.hamilton", "a long password here"));
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Groups.GroupService>().CreateAsync($"everyone-in-the-company@{Domain}", "All staff", ["margaret.hamilton"], "test", null);
        var page = await OpenAsync("/domains", 1440);
        await TabToAsync(page, $"[data-open='{Domain}']");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#domain-name")).ToHaveValueAsync(Domain);
        await TabToAsync(page, "#domain-description");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("Typed with the keyboard");
        await TabToAsync(page, "#domain-save");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#domain-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
        await using (var db = host.Database.CreateContext())
            Assert.Equal("Typed with the keyboard", (await db.Domains.SingleAsync(d => d.Name == Domain)).Description);

        var group = $"everyone-in-the-company@{Domain}";
        await page.GotoAsync("/groups");
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await TabToAsync(page, $"[data-open='{group}']");
        await page.Keyboard.PressAsync("Enter");
        // The group's own editor replaces the empty one; typing before it is there would go to the old one.
        await Expect(page.Locator("#group-editor h2")).ToHaveTextAsync($"Edit {group}");
        await TabToAsync(page, "#group-description");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("Everyone, by keyboard");
        await TabToAsync(page, "#group-save");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#group-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
        await using (var db = host.Database.CreateContext())
            Assert.Equal("Everyone, by keyboard", (await db.Groups.SingleAsync(g => g.Address == group)).Description);

        var address = $"margaret.hamilton@{Domain}";
        await page.GotoAsync("/mailboxes");
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await TabToAsync(page, $"[data-open='{address}']");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#mailbox-title")).ToHaveTextAsync(address);
    }
}
