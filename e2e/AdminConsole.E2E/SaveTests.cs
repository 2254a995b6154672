using System.Text;
using System.Text.RegularExpressions;
using AdminConsole.Core.Groups;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// Saves that really save: every editor saved twice in a row (the second save is where a version that
/// does not survive the database round trip, or a circuit that died, shows), large values, and the
/// group's description with its members.
/// </summary>
public sealed class SaveTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{

    private Task<IPage> SignInAsync(string email, string password, string returnUrl, Uri? baseAddress = null) =>
        browser.SignInAsync(host, email, password, returnUrl, baseAddress: baseAddress);

    private static Task ScreenshotAsync(IPage page, string name, bool fullPage = true) => Browser.ScreenshotAsync(page, name, fullPage);

    /// <summary>Clicks save and waits for this save's chip: an edit clears the last one, so a chip seen here is this save's.</summary>
    private static async Task SaveAsync(IPage page, string button, string progress)
    {
        await Expect(page.Locator(progress)).ToHaveCountAsync(0);
        await page.ClickAsync(button);
        await Expect(page.Locator(progress)).ToHaveAttributeAsync("data-state", Browser.SavedState);
    }

    /// <summary>A legal Sieve script of about <paramref name="bytes"/> bytes: many rules, as a user with many lists has.</summary>
    private static string LongScript(int bytes, string tag)
    {
        var script = new StringBuilder("require [\"fileinto\", \"mailbox\"];\n");
        for (var rule = 0; script.Length < bytes; rule++)
            script.Append($"if header :contains \"list-id\" \"list-{rule}.{tag}.example.org\" {{ fileinto :create \"Lists/{tag}/{rule}\"; stop; }}\n");
        return script.ToString();
    }

    [Fact]
    public async Task A_mailbox_user_saves_the_vacation_reply_and_a_long_filter_twice_each_and_an_overlong_reply_is_refused_beside_the_field()
    {
        const string address = "sam@saves.test";
        await host.Database.SeedAsync("saves.test", new MailboxSeed("sam", "sam's long password"));
        var page = await SignInAsync(address, "sam's long password", "/");

        await page.Locator("#vacation-enabled").CheckAsync(new() { Force = true });
        await page.FillAsync("#vacation-body", "Away, first take.");
        await SaveAsync(page, "#vacation-save", "#vacation-progress");
        await page.FillAsync("#vacation-body", "Away, second take.");
        await SaveAsync(page, "#vacation-save", "#vacation-progress");
        await Expect(page.Locator("#vacation-error")).ToHaveCountAsync(0);
        await using (var db = host.Database.CreateContext())
            Assert.Equal("Away, second take.", (await db.VacationRules.SingleAsync(r => r.Mailbox!.Address == address)).Body);

        // Over the limit (10,000 characters): refused beside the field, through a circuit that stays up.
        await page.FillAsync("#vacation-body", new string('x', 20_000));
        await page.ClickAsync("#vacation-save");
        await Expect(page.Locator("#vacation-form")).ToContainTextAsync("The reply is at most 10000 characters.");
        await Expect(page.Locator("#vacation-progress")).ToHaveCountAsync(0);
        await page.Locator("#vacation-body").ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(page, "vacation-too-long.png", fullPage: false);
        await using (var db = host.Database.CreateContext())
            Assert.Equal("Away, second take.", (await db.VacationRules.SingleAsync(r => r.Mailbox!.Address == address)).Body);

        // A legal script of 40 KB (the limit is 64 KiB), saved twice.
        await page.GotoAsync("/account/filters");
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        foreach (var take in new[] { "first", "second" })
        {
            var script = LongScript(40_000, take);
            await page.FillAsync("#filters-script", script);
            await SaveAsync(page, "#filters-save", "#filters-progress");
            await Expect(page.Locator("#filters-error")).ToHaveCountAsync(0);
            await using var db = host.Database.CreateContext();
            Assert.Equal(script, (await db.SieveFilters.SingleAsync(f => f.Mailbox!.Address == address)).Script);
        }

        await Expect(page.Locator("#filters-progress")).ToHaveAttributeAsync("data-state", "applied", new() { Timeout = 30_000 });
        await ScreenshotAsync(page, "filters-long.png", fullPage: false);
    }

    [Fact]
    public async Task An_admin_saves_a_mailbox_s_vacation_reply_twice_on_the_mailbox_page()
    {
        await host.Database.SeedAsync("admin-saves.test", new MailboxSeed("tom", "tom's long password"));
        var admin = await host.CreateAdminAsync("saves-admin@example.com");
        var page = await SignInAsync(admin.Account.Email, admin.Password, "/mailboxes/tom@admin-saves.test");

        await page.Locator("#vacation-enabled").CheckAsync(new() { Force = true });
        foreach (var take in new[] { "first", "second", "third" })
        {
            await page.FillAsync("#vacation-body", $"Tom is away ({take}).");
            await SaveAsync(page, "#vacation-save", "#vacation-progress");
            await Expect(page.Locator("#vacation-error")).ToHaveCountAsync(0);
        }

        await using var db = host.Database.CreateContext();
        var rule = await db.VacationRules.SingleAsync(r => r.Mailbox!.Address == "tom@admin-saves.test");
        Assert.Equal("Tom is away (third).", rule.Body);
        Assert.Equal("admin:saves-admin@example.com", rule.UpdatedBy);
    }

    [Fact]
    public async Task An_admin_changes_a_group_s_description_and_members_together_twice()
    {
        await host.Database.SeedAsync("group-saves.test", new MailboxSeed("ann"), new MailboxSeed("bob"));
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<GroupService>().CreateAsync("team@group-saves.test", "The old words", ["ann"], "test", null);
        var admin = await host.CreateAdminAsync("group-saves@example.com");
        var page = await SignInAsync(admin.Account.Email, admin.Password, "/groups");

        await page.Locator("#group-table tr", new() { HasText = "team@group-saves.test" }).ClickAsync();
        await Expect(page.Locator("#group-description")).ToHaveValueAsync("The old words");
        await page.FillAsync("#group-description", "Everyone on the team");
        await page.FillAsync("#group-member-input", "bob");
        await page.ClickAsync("#group-member-add");
        await Expect(page.Locator("[data-member='bob']")).ToBeVisibleAsync();
        await SaveAsync(page, "#group-save", "#group-progress");
        await Expect(page.Locator("#group-table")).ToContainTextAsync("Everyone on the team");

        await page.FillAsync("#group-description", "Everyone on the team, and guests");
        await SaveAsync(page, "#group-save", "#group-progress");
        await Expect(page.Locator("#group-table")).ToContainTextAsync("Everyone on the team, and guests");
        await ScreenshotAsync(page, "group-description.png");

        await using var db = host.Database.CreateContext();
        var group = await db.Groups.Include(g => g.Members).ThenInclude(m => m.Mailbox).SingleAsync(g => g.Address == "team@group-saves.test");
        Assert.Equal("Everyone on the team, and guests", group.Description);
        Assert.Equal(["ann@group-saves.test", "bob@group-saves.test"], group.Members.Select(m => m.Mailbox!.Address).Order());
    }

    [Fact]
    public async Task A_page_that_loses_its_connection_says_so_and_saves_again_once_it_is_back()
    {
        await host.Database.SeedAsync("reconnect.test", new MailboxSeed("rex", "rex's long password"));
        await using var proxy = new TcpProxy(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, host.Factory.BaseAddress.Port));
        var page = await SignInAsync("rex@reconnect.test", "rex's long password", "/", new Uri($"http://127.0.0.1:{proxy.Port}/"));
        var notice = page.Locator("#components-reconnect-modal");
        await Expect(notice).ToBeHiddenAsync();

        proxy.Cut();
        await Expect(notice).ToBeVisibleAsync();
        await Expect(notice).ToContainTextAsync("The connection to the console was lost");
        await ScreenshotAsync(page, "reconnecting.png");

        proxy.Restore();
        await Expect(notice).ToBeHiddenAsync(new() { Timeout = 60_000 });
        await page.Locator("#vacation-enabled").CheckAsync(new() { Force = true });
        await page.FillAsync("#vacation-body", "Back after the outage.");
        await SaveAsync(page, "#vacation-save", "#vacation-progress");
        await using var db = host.Database.CreateContext();
        Assert.Equal("Back after the outage.", (await db.VacationRules.SingleAsync(r => r.Mailbox!.Address == "rex@reconnect.test")).Body);
    }

    [Fact]
    public async Task A_mailbox_user_changes_the_password_twice_and_is_told_each_time_why_the_session_ended()
    {
        const string address = "pat@passwords.test";
        await host.Database.SeedAsync("passwords.test", new MailboxSeed("pat", "pat's first password"));
        var page = await SignInAsync(address, "pat's first password", "/account");

        // A wrong current password: said beside the field, nothing changes, the session goes on.
        await page.FillAsync("#account-current-password", "not pat's password");
        await page.FillAsync("#account-new-password", "pat's second password");
        await page.ClickAsync("#account-change-password");
        await Expect(page.Locator("#account-password-form")).ToContainTextAsync("current password is not correct");
        await Expect(page).ToHaveURLAsync(new Regex("/account$"));
        await using (var db = host.Database.CreateContext())
            Assert.True(MailEngine.Auth.MailPasswordHasher.Verify((await db.Mailboxes.SingleAsync(m => m.Address == address)).PasswordHash, "pat's first password"));

        foreach (var (current, next) in new[] { ("pat's first password", "pat's second password"), ("pat's second password", "pat's third password") })
        {
            await page.FillAsync("#account-current-password", current);
            await page.FillAsync("#account-new-password", next);
            await page.ClickAsync("#account-change-password");
            await Expect(page.Locator("#signin-ended")).ToContainTextAsync("password or two-factor settings changed");
            await using (var db = host.Database.CreateContext())
                Assert.True(MailEngine.Auth.MailPasswordHasher.Verify((await db.Mailboxes.SingleAsync(m => m.Address == address)).PasswordHash, next));
            await page.FillAsync("#email", address);
            await page.FillAsync("#password", next);
            await page.ClickAsync("#signin-submit");
            await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
            await page.GotoAsync("/account");
            await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        }
    }

    [Fact]
    public async Task An_admin_sets_a_mailbox_password_twice_and_follows_each_to_the_engine()
    {
        const string address = "quinn@set-passwords.test";
        await host.Database.SeedAsync("set-passwords.test", new MailboxSeed("quinn", "quinn's first password"));
        var admin = await host.CreateAdminAsync("passwords-admin@example.com");
        var page = await SignInAsync(admin.Account.Email, admin.Password, $"/mailboxes/{address}");

        // Typed, then generated (shown once): each save has its own chip, the typing cleared the first.
        await page.FillAsync("#mailbox-new-password", "quinn's chosen password");
        await SaveAsync(page, "#mailbox-reset-password", "#mailbox-password-progress");
        await Expect(page.Locator("#mailbox-generated-password")).ToHaveCountAsync(0);
        await using (var db = host.Database.CreateContext())
            Assert.True(MailEngine.Auth.MailPasswordHasher.Verify((await db.Mailboxes.SingleAsync(m => m.Address == address)).PasswordHash, "quinn's chosen password"));

        await page.FillAsync("#mailbox-new-password", "x");
        await page.FillAsync("#mailbox-new-password", "");
        await SaveAsync(page, "#mailbox-reset-password", "#mailbox-password-progress");
        var generated = await page.Locator("#mailbox-generated-password code").TextContentAsync();
        Assert.False(string.IsNullOrEmpty(generated));
        await Expect(page.Locator("#mailbox-password-progress")).ToHaveAttributeAsync("data-state", "applied", new() { Timeout = 30_000 });
        await using (var db = host.Database.CreateContext())
            Assert.True(MailEngine.Auth.MailPasswordHasher.Verify((await db.Mailboxes.SingleAsync(m => m.Address == address)).PasswordHash, generated!));
        await Browser.ScreenshotAsync(page, "mailbox-password-applied.png", fullPage: false);

        // Too short: refused beside the field, no chip, the generated one still works.
        await page.FillAsync("#mailbox-new-password", "short");
        await page.ClickAsync("#mailbox-reset-password");
        await Expect(page.Locator("#password-form")).ToContainTextAsync("at least");
        await Expect(page.Locator("#mailbox-password-progress")).ToHaveCountAsync(0);
        await using (var db = host.Database.CreateContext())
            Assert.True(MailEngine.Auth.MailPasswordHasher.Verify((await db.Mailboxes.SingleAsync(m => m.Address == address)).PasswordHash, generated!));
    }
}
