using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// Honest forms: a value the server refuses stays in its field as typed (no silent clamping), the
/// refusal shows beside the field in the field's own units, nothing is stored, and a second refusal in
/// a row shows again (a field that hid its error on new input must show the next refusal too).
/// </summary>
public sealed class HonestFormTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    /// <summary>The whole MudBlazor field (label, input, the message beside it) around an input.</summary>
    private static ILocator FieldOf(IPage page, string input) => page.Locator(".mud-input-control", new() { Has = page.Locator(input) });

    private const string QuotaRefusal = "between 1 MiB (0.001 GiB) and 1 PiB (1048576 GiB)";

    [Fact]
    public async Task A_domain_quota_of_zero_then_a_negative_one_is_refused_beside_the_field_each_time_and_nothing_is_stored()
    {
        await host.Database.SeedAsync("honest.test");
        long quotaBefore;
        await using (var db = host.Database.CreateContext())
            quotaBefore = (await db.Domains.SingleAsync(d => d.Name == "honest.test")).DefaultQuotaBytes;
        var admin = await host.CreateAdminAsync("honest-admin@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, "/domains");
        await page.ClickAsync("[data-open='honest.test']");
        await Expect(page.Locator("#domain-save")).ToHaveTextAsync("Save");

        var field = FieldOf(page, "#domain-quota");
        foreach (var typed in new[] { "0", "-5", "-5" })
        {
            await page.FillAsync("#domain-quota", typed);
            await page.ClickAsync("#domain-save");
            await Expect(field).ToContainTextAsync(QuotaRefusal);
            await Expect(page.Locator("#domain-quota")).ToHaveValueAsync(typed);
            await Expect(page.Locator("#domain-progress")).ToHaveCountAsync(0);
        }

        await Browser.ScreenshotAsync(page, "domain-quota-refused.png", fullPage: false);
        await using (var db = host.Database.CreateContext())
            Assert.Equal(quotaBefore, (await db.Domains.SingleAsync(d => d.Name == "honest.test")).DefaultQuotaBytes);

        // A good value after the refusals saves, and the error goes.
        await page.FillAsync("#domain-quota", "3");
        await page.ClickAsync("#domain-save");
        await Expect(page.Locator("#domain-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
        await Expect(field).Not.ToContainTextAsync(QuotaRefusal);
        await using (var db = host.Database.CreateContext())
            Assert.Equal(3 * 1024L * 1024 * 1024, (await db.Domains.SingleAsync(d => d.Name == "honest.test")).DefaultQuotaBytes);
    }

    [Fact]
    public async Task Vacation_days_out_of_range_and_an_end_before_the_start_are_refused_beside_their_fields_and_nothing_is_stored()
    {
        const string address = "vera@honest-vacation.test";
        await host.Database.SeedAsync("honest-vacation.test", new MailboxSeed("vera", "vera's long password"));
        var page = await browser.SignInAsync(host, address, "vera's long password", "/");
        await page.Locator("#vacation-enabled").CheckAsync(new() { Force = true });
        await page.FillAsync("#vacation-body", "Away.");

        var days = FieldOf(page, "#vacation-days");
        foreach (var typed in new[] { "0", "9999", "0" })
        {
            await page.FillAsync("#vacation-days", typed);
            await page.ClickAsync("#vacation-save");
            await Expect(days).ToContainTextAsync("between 1 and");
            await Expect(page.Locator("#vacation-days")).ToHaveValueAsync(typed);
            await Expect(page.Locator("#vacation-progress")).ToHaveCountAsync(0);
        }

        await page.FillAsync("#vacation-days", "7");
        await page.FillAsync("#vacation-starts", "2027-03-10T09:00");
        await page.FillAsync("#vacation-ends", "2027-03-01T09:00");
        var ends = FieldOf(page, "#vacation-ends");
        foreach (var _ in new[] { 1, 2 })
        {
            await page.ClickAsync("#vacation-save");
            await Expect(ends).ToContainTextAsync("The end must be after the start.");
            await Expect(page.Locator("#vacation-progress")).ToHaveCountAsync(0);
        }

        await Browser.ScreenshotAsync(page, "vacation-refused.png", fullPage: false);
        await using var db = host.Database.CreateContext();
        Assert.False(await db.VacationRules.AnyAsync(r => r.Mailbox!.Address == address && r.Body == "Away."));
    }

    [Fact]
    public async Task A_save_s_chip_goes_at_the_next_edit_and_at_a_refused_save_and_deletes_and_revokes_are_confirmed_with_a_toast()
    {
        await host.Database.SeedAsync("feedback.test");
        await host.Database.SeedAsync("feedback-gone.test");
        var admin = await host.CreateAdminAsync("feedback-admin@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, "/domains");
        await page.ClickAsync("[data-open='feedback.test']");
        await Expect(page.Locator("#domain-save")).ToHaveTextAsync("Save");

        await page.FillAsync("#domain-description", "First words");
        await page.ClickAsync("#domain-save");
        await Expect(page.Locator("#domain-progress")).ToBeVisibleAsync();
        // The first keystroke after the save: the chip spoke of the saved words, not of these.
        await page.Locator("#domain-description").PressSequentiallyAsync(" and more");
        await Expect(page.Locator("#domain-progress")).ToHaveCountAsync(0);
        await page.ClickAsync("#domain-save");
        await Expect(page.Locator("#domain-progress")).ToBeVisibleAsync();
        await Expect(page.Locator("#domain-progress")).Not.ToContainTextAsync("version");

        // A refused save takes the earlier chip away and says why beside the field.
        await page.FillAsync("#domain-catch-all", "not an address");
        await page.ClickAsync("#domain-save");
        await Expect(page.Locator("#domain-form")).ToContainTextAsync("address");
        await Expect(page.Locator("#domain-progress")).ToHaveCountAsync(0);

        // Another row in the form: no chip from the one before.
        await page.FillAsync("#domain-catch-all", "");
        await page.ClickAsync("#domain-save");
        await Expect(page.Locator("#domain-progress")).ToBeVisibleAsync();
        await page.ClickAsync("[data-open='feedback-gone.test']");
        await Expect(page.Locator("#domain-progress")).ToHaveCountAsync(0);

        await page.ClickAsync("[data-delete='feedback-gone.test']");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Deleted feedback-gone.test.");
        await Expect(page.Locator("#domain-table")).Not.ToContainTextAsync("feedback-gone.test");

        // A revoked token's secret leaves the screen.
        await page.GotoAsync("/tokens");
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await page.FillAsync("#token-name", "ci deploy");
        await page.ClickAsync("#token-create");
        await Expect(page.Locator("#token-shown")).ToContainTextAsync("act_");
        await page.ClickAsync("[data-revoke='ci deploy']");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Revoked the token 'ci deploy'");
        await Expect(page.Locator("#token-shown")).ToHaveCountAsync(0);
        await Expect(page.Locator("#token-table")).ToContainTextAsync("revoked");
        await Browser.ScreenshotAsync(page, "token-revoked.png", fullPage: false);
    }
}
