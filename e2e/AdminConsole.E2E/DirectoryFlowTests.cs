using System.Text;
using AdminConsole.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>The console's main flows through Chromium, each ending in a screenshot (bin/.../screenshots).</summary>
public sealed class DirectoryFlowTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private Task<IPage> SignInAsync(string email, string password, string returnUrl) => browser.SignInAsync(host, email, password, returnUrl);

    private static async Task GoAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
    }

    private static Task ScreenshotAsync(IPage page, string name) => Browser.ScreenshotAsync(page, name);

    [Fact]
    public async Task An_admin_creates_a_domain_a_mailbox_and_a_group_and_sees_the_expansion()
    {
        var admin = await host.CreateAdminAsync("flow-admin@example.com");
        var page = await SignInAsync(admin.Account.Email, admin.Password, "/domains");

        await page.FillAsync("#domain-name", "A-Flow.test");
        await page.FillAsync("#domain-description", "Made in the browser");
        await page.ClickAsync("#domain-save");
        await Expect(page.Locator("#domain-table")).ToContainTextAsync("a-flow.test");
        await Expect(page.Locator("#domain-progress")).ToContainTextAsync("applied", new() { Timeout = 30_000 });

        // A bad catch-all is refused beside its field.
        await page.FillAsync("#domain-catch-all", "not an address");
        await page.ClickAsync("#domain-save");
        await Expect(page.Locator("#domain-form")).ToContainTextAsync("address");

        await GoAsync(page, "/mailboxes/new");
        await page.FillAsync("#new-mailbox-local", "ann");
        await page.FillAsync("#new-mailbox-display-name", "Ann Example");
        await page.ClickAsync("#new-mailbox-create");
        await Expect(page.Locator("#new-mailbox-created")).ToContainTextAsync("ann@a-flow.test");
        await Expect(page.Locator("#new-mailbox-generated")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^.{20}$"));

        await GoAsync(page, "/groups");
        await page.FillAsync("#group-address", "team@a-flow.test");
        await page.PressAsync("#group-address", "Tab");
        foreach (var member in new[] { "ann", "friend@elsewhere.example" })
        {
            await page.FillAsync("#group-member-input", member);
            await page.ClickAsync("#group-member-add");
            await Expect(page.Locator($"[data-member='{member}']")).ToBeVisibleAsync();
        }

        await Expect(page.Locator("#group-expansion")).ToContainTextAsync("ann@a-flow.test");
        await Expect(page.Locator("#group-expansion")).ToContainTextAsync("friend@elsewhere.example");
        await page.ClickAsync("#group-save");
        await Expect(page.Locator("#group-table")).ToContainTextAsync("team@a-flow.test");
        await Expect(page.Locator("#group-progress")).ToContainTextAsync("applied", new() { Timeout = 30_000 });
        await ScreenshotAsync(page, "group-expansion.png");

        await GoAsync(page, "/mailboxes");
        await page.FillAsync("#mailbox-search", "ann@a-flow");
        await Expect(page.Locator("#mailbox-total")).ToHaveTextAsync("1 mailbox(es)");
        await ScreenshotAsync(page, "mailboxes.png");
    }

    [Fact]
    public async Task An_admin_imports_a_CSV_with_one_bad_row_and_sees_the_error_before_anything_is_written()
    {
        await host.Database.SeedAsync("import-flow.test");
        var admin = await host.CreateAdminAsync("flow-importer@example.com");
        var page = await SignInAsync(admin.Account.Email, admin.Password, "/mailboxes/import");

        // The circuit is up before InputFile has hooked its change listener (its JS init runs after its
        // first render): a file set before that is never seen. Blazor marks the element when it is done.
        await page.WaitForFunctionAsync("() => document.getElementById('import-file')?._blazorInputFileNextFileId !== undefined");
        var csv = "address,displayName,quota,password\r\nuno@import-flow.test,Uno,1GiB,\r\nnot-an-address,Dos,,\r\ntres@import-flow.test,Tres,,\r\n";
        await page.SetInputFilesAsync("#import-file", new FilePayload { Name = "mailboxes.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await Expect(page.Locator("#import-file-name")).ToContainTextAsync("mailboxes.csv");
        await page.ClickAsync("#import-check");
        await Expect(page.Locator("#import-plan-errors")).ToContainTextAsync("1 error(s)");
        await Expect(page.Locator("#import-errors")).ToContainTextAsync("address");
        await Expect(page.Locator("#import-errors tbody tr").First).ToContainTextAsync("3");
        await Expect(page.Locator("#import-run")).ToBeDisabledAsync();
        await ScreenshotAsync(page, "import-dry-run.png");

        await using var db = host.Database.CreateContext();
        Assert.False(db.Mailboxes.Any(m => m.Address.EndsWith("@import-flow.test")));
    }

    [Fact]
    public async Task A_mailbox_user_signs_in_and_sets_a_vacation_reply()
    {
        await host.Database.SeedAsync("vacation-flow.test", new MailboxSeed("vera", "vera's long password", "Vera Example"));
        var page = await SignInAsync("vera@vacation-flow.test", "vera's long password", "/");
        await Expect(page.Locator("#account-address")).ToHaveTextAsync("vera@vacation-flow.test");

        await page.Locator("#vacation-enabled").CheckAsync(new() { Force = true });
        await page.FillAsync("#vacation-subject", "Away until Monday");
        await page.FillAsync("#vacation-body", "I am away and read mail on Monday.");
        await Expect(page.Locator("#vacation-preview-subject")).ToHaveTextAsync("Away until Monday");
        await page.ClickAsync("#vacation-save");
        await Expect(page.Locator("#vacation-set-by")).ToContainTextAsync("the mailbox user (vera@vacation-flow.test)");
        await Expect(page.Locator("#vacation-progress")).ToContainTextAsync("applied", new() { Timeout = 30_000 });
        await ScreenshotAsync(page, "vacation.png");

        await using var db = host.Database.CreateContext();
        var rule = db.VacationRules.Single(r => r.Mailbox!.Address == "vera@vacation-flow.test");
        Assert.True(rule.Enabled);
        Assert.Equal("mailbox:vera@vacation-flow.test", rule.UpdatedBy);
    }
}
