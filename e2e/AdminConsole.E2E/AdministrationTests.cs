using System.Text.RegularExpressions;
using AdminConsole.Core.Accounts;
using AdminConsole.Core.Domains;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// #20 items 11 and 12 in the browser: the Administrators page (add, role, reset, remove; yourself
/// untouchable), read-only admins reading values rather than disabled inputs, and the audit log's
/// diff, plain-word filters kept in the URL and CSV export.
/// </summary>
public sealed class AdministrationTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private const string Domain = "admin-pages.test";

    private async Task SeedAsync()
    {
        await using var scope = host.Factory.Services.CreateAsyncScope();
        if (await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Data.AdminDbContext>().FindDomainAsync(Domain) is not null) return;
        await host.Database.SeedAsync(Domain, new MailboxSeed("ivy", "ivy's long password", "Ivy"));
        await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Groups.GroupService>().CreateAsync($"desk@{Domain}", "Front desk", [$"ivy@{Domain}"], "test", null);
    }

    [Fact]
    public async Task An_administrator_adds_changes_resets_and_removes_admins_in_the_console_but_not_themselves()
    {
        await SeedAsync();
        var me = await host.CreateAdminAsync("chief@example.com");
        var page = await browser.SignInAsync(host, me.Account.Email, me.Password, "/admins");

        // My own row: marked, no controls that could lock me out.
        var mine = page.Locator("tr", new() { Has = page.Locator("[data-admin='chief@example.com']") });
        await Expect(mine).ToContainTextAsync("you");
        await Expect(mine.Locator("[data-remove]")).ToHaveCountAsync(0);
        await Expect(mine.Locator("select")).ToHaveCountAsync(0);

        // Added: the password shows once and signs in.
        await page.FillAsync("#admin-email", "Deputy@Example.com");
        await page.SelectOptionAsync("#admin-role", new SelectOptionValue { Label = "read-only" });
        await page.ClickAsync("#admin-create");
        await Expect(page.Locator("#admin-password-shown")).ToContainTextAsync("deputy@example.com");
        var password = (await page.Locator("#admin-password-shown code").TextContentAsync())!;
        var deputy = page.Locator("tr", new() { Has = page.Locator("[data-admin='deputy@example.com']") });
        await Expect(deputy.Locator("select option:checked")).ToHaveTextAsync("read-only");
        await Browser.ScreenshotAsync(page, "admins-1440.png");

        // A duplicate is refused beside the field.
        await page.FillAsync("#admin-email", "deputy@example.com");
        await page.ClickAsync("#admin-create");
        await Expect(page.Locator(".mud-input-control", new() { Has = page.Locator("#admin-email") })).ToContainTextAsync("already exists");

        // The role, changed twice in a row; each a toast, each stored.
        foreach (var (label, role) in new[] { ("administrator", AdminRole.Administrator), ("read-only", AdminRole.ReadOnly) })
        {
            await deputy.Locator("select").SelectOptionAsync(new SelectOptionValue { Label = label });
            await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync($"deputy@example.com is now {label}");
            await using var db = host.Database.CreateContext();
            Assert.Equal(role, (await db.AdminAccounts.SingleAsync(a => a.Email == "deputy@example.com")).Role);
        }

        // A password reset after a confirmation: a new password, shown once.
        await deputy.Locator("[data-reset]").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Reset password", Exact = true }).ClickAsync();
        await Expect(page.Locator("#admin-password-shown code")).Not.ToHaveTextAsync(password);

        // Removed after a confirmation.
        await deputy.Locator("[data-remove]").ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Remove deputy@example.com", Exact = true }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Removed deputy@example.com.");
        await Expect(page.Locator("[data-admin='deputy@example.com']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#admin-password-shown")).ToHaveCountAsync(0);

        var phone = await browser.SignInAsync(host, me.Account.Email, me.Password, "/admins", new ViewportSize { Width = 390, Height = 844 });
        await Expect(phone.Locator("[data-admin='chief@example.com']")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(phone, "admins-390.png");
        Assert.True(await phone.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth") <= 0, "the Administrators page is wider than a phone");
    }

    [Fact]
    public async Task A_read_only_admin_reads_values_not_disabled_inputs_and_gets_no_editing_controls()
    {
        await SeedAsync();
        var viewer = await host.CreateAdminAsync($"viewer-{Guid.NewGuid():N}@example.com", AdminRole.ReadOnly);
        var page = await browser.SignInAsync(host, viewer.Account.Email, viewer.Password, $"/mailboxes/ivy@{Domain}");

        await Expect(page.Locator("#mailbox-display-name-value")).ToContainTextAsync("Ivy");
        await Expect(page.Locator("#mailbox-quota-value")).ToContainTextAsync("10 GiB");
        await Expect(page.Locator("#vacation-enabled-value")).ToContainTextAsync("off");
        await Expect(page.Locator("#filters-script-value")).ToBeVisibleAsync();
        // Nothing to type into and nothing greyed out: the settings, vacation and filter forms have no inputs.
        await Expect(page.Locator("#mailbox-form input, #vacation-form input, #vacation-form textarea, #filters-editor .sieve-script textarea")).ToHaveCountAsync(0);
        await Expect(page.Locator("#mailbox-form [disabled], #mailbox-form .mud-disabled, #vacation-form [disabled], #vacation-form .mud-disabled")).ToHaveCountAsync(0);
        await Expect(page.Locator("#mailbox-save, #vacation-save, #filters-save")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "mailbox-read-only-1440.png");

        await page.GotoAsync($"/groups?open=desk@{Domain}");
        await Expect(page.Locator("#group-description-value")).ToContainTextAsync("Front desk");
        await Expect(page.Locator("#group-member-input, #group-save, #group-address, #group-description")).ToHaveCountAsync(0);
        await Expect(page.Locator($"[data-member='ivy@{Domain}'] .mud-chip-close-button")).ToHaveCountAsync(0);

        await page.GotoAsync($"/domains/{Domain}/spam");
        await Expect(page.Locator("#spam-enabled-value")).ToBeVisibleAsync();
        await Expect(page.Locator("#spam-thresholds input, #spam-rules td input")).ToHaveCountAsync(0);

        await page.GotoAsync("/admins");
        await Expect(page.Locator("#admin-form, [data-remove], [data-reset], #admin-table select")).ToHaveCountAsync(0);
        await Expect(page.Locator($"[data-admin='{viewer.Account.Email}']")).ToContainTextAsync("you");
    }

    [Fact]
    public async Task The_audit_log_shows_what_changed_finds_plain_addresses_keeps_its_filters_in_the_URL_and_exports_them()
    {
        await SeedAsync();
        var admin = await host.CreateAdminAsync("auditor@example.com");
        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            var domains = scope.ServiceProvider.GetRequiredService<DomainService>();
            await domains.UpdateAsync(Domain, new DomainChanges(Description: "Before"), null, "admin:auditor@example.com", "127.0.0.1");
            await domains.UpdateAsync(Domain, new DomainChanges(Description: "=After, with a comma"), null, "admin:auditor@example.com", "127.0.0.1");
        }

        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, "/audit");
        // A plain address finds the records by that admin (no "admin:" needed), and lands in the URL.
        await page.FillAsync("#audit-actor", "auditor@example.com");
        await Expect(page).ToHaveURLAsync(new Regex("actor=auditor(%40|@)example.com"));
        await page.SelectOptionAsync("#audit-action", new SelectOptionValue { Label = "domain.updated" });
        await Expect(page).ToHaveURLAsync(new Regex("action=domain.updated"));
        var rows = page.Locator("#audit-grid tbody tr.mud-table-row");
        await Expect(rows).ToHaveCountAsync(2);
        var newest = rows.First.Locator(".audit-change[data-field='description']");
        await Expect(newest.Locator(".audit-before")).ToHaveTextAsync("was Before");
        await Expect(newest.Locator(".audit-after")).ToHaveTextAsync("now =After, with a comma");
        await Expect(rows.First).ToContainTextAsync("field(s) unchanged");
        await Browser.ScreenshotAsync(page, "audit-diff-1440.png", fullPage: false);

        // The same view after a reload, from the URL alone.
        await page.ReloadAsync();
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.Locator("#audit-actor")).ToHaveValueAsync("auditor@example.com");
        await Expect(rows).ToHaveCountAsync(2);

        // Export CSV downloads what the filters show (the cells are checked against spreadsheets in AuditCsvTests).
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#audit-export"));
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var csv = AdminConsole.Core.Import.CsvParser.Parse(await File.ReadAllTextAsync((await download.PathAsync())!));
        Assert.Equal(3, csv.Count);
        Assert.All(csv.Skip(1), r => Assert.Equal("domain.updated", r.Fields[4]));
        Assert.Contains("=After, with a comma", csv[1].Fields[6], StringComparison.Ordinal);
    }
}
