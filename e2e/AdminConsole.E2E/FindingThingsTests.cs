using System.Text.RegularExpressions;
using AdminConsole.Core.Domains;
using AdminConsole.Core.Groups;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// Finding things and telling the truth about them (#20 items 7, 9, 10): external members marked,
/// a dangling catch-all refused, IDN names in Unicode, the Mailboxes domain filter carried into New
/// mailbox, the mailbox page's "Member of", the first-run checklist, per-domain spam filters from the
/// scanner page, and quotas typed in MiB or GiB.
/// </summary>
public sealed class FindingThingsTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private const string Domain = "finding.test";
    private const string Idn = "xn--bcher-kva.test"; // bücher.test

    private async Task SeedAsync()
    {
        await using var scope = host.Factory.Services.CreateAsyncScope();
        if (await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Data.AdminDbContext>().FindDomainAsync(Domain) is not null) return;
        await host.Database.SeedAsync(Domain, new MailboxSeed("ada", "ada's long password"), new MailboxSeed("bert", "bert's long password"));
        await host.Database.SeedAsync(Idn, new MailboxSeed("jörg", "jörg's long password"));
        var groups = scope.ServiceProvider.GetRequiredService<GroupService>();
        await groups.CreateAsync($"team@{Domain}", "The team", [$"ada@{Domain}"], "test", null);
        await groups.CreateAsync($"all@{Domain}", null, [$"team@{Domain}", $"bert@{Domain}"], "test", null);
    }

    private async Task<IPage> OpenAsync(string path, int width = 1440)
    {
        await SeedAsync();
        var admin = await host.CreateAdminAsync($"finder-{Guid.NewGuid():N}@example.com");
        return await browser.SignInAsync(host, admin.Account.Email, admin.Password, path, new ViewportSize { Width = width, Height = width > 600 ? 900 : 844 });
    }

    [Fact]
    public async Task An_external_member_is_marked_and_a_made_up_top_level_domain_is_warned_of_before_saving()
    {
        // The page opens with an empty "New group" editor. (Clicking "New group" here would replace it
        // with a fresh one, and on a loaded machine the address could be typed into the old one first.)
        var page = await OpenAsync("/groups");
        await Expect(page.Locator("#group-editor h2")).ToHaveTextAsync("New group");
        await page.FillAsync("#group-address", $"partners@{Domain}");
        await page.PressAsync("#group-address", "Tab");
        foreach (var member in new[] { "ada", "carol@example.tset" })
        {
            await page.FillAsync("#group-member-input", member);
            await page.ClickAsync("#group-member-add");
        }

        await Expect(page.Locator("[data-member='carol@example.tset']")).ToHaveAttributeAsync("data-external", "true");
        await Expect(page.Locator("[data-member='carol@example.tset']")).ToContainTextAsync("(external)");
        await Expect(page.Locator("[data-member='ada']")).Not.ToHaveAttributeAsync("data-external", "true");
        await Expect(page.Locator("#group-warnings")).ToContainTextAsync("carol@example.tset is outside your domains, and .tset is no top-level domain of the Internet");
        await Expect(page.Locator("#group-expansion .expansion-external")).ToHaveCountAsync(1);
        await Browser.ScreenshotAsync(page, "group-external-warning.png", fullPage: false);

        // A warning, not a refusal: saved twice in a row, the mark stays.
        await page.ClickAsync("#group-save");
        await Expect(page.Locator("#group-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
        await page.ClickAsync("#group-save");
        await Expect(page.Locator("#group-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
        await Expect(page.Locator("#group-warnings")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_catch_all_to_a_mailbox_that_does_not_exist_is_refused_beside_the_field()
    {
        var page = await OpenAsync("/domains");
        await page.ClickAsync($"[data-open='{Domain}']");
        await page.FillAsync("#domain-catch-all", $"nobody@{Domain}");
        await page.ClickAsync("#domain-save");
        var field = page.Locator(".mud-input-control", new() { Has = page.Locator("#domain-catch-all") });
        await Expect(field).ToContainTextAsync($"There is no mailbox or group nobody@{Domain}");
        await Expect(page.Locator("#domain-progress")).ToHaveCountAsync(0);
        await using (var db = host.Database.CreateContext())
            Assert.Null((await db.Domains.SingleAsync(d => d.Name == Domain)).CatchAllAddress);

        await page.FillAsync("#domain-catch-all", $"team@{Domain}");
        await page.ClickAsync("#domain-save");
        await Expect(page.Locator("#domain-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
        await Expect(field).Not.ToContainTextAsync("There is no mailbox");
        await using (var db = host.Database.CreateContext())
            Assert.Equal($"team@{Domain}", (await db.Domains.SingleAsync(d => d.Name == Domain)).CatchAllAddress);
        // Put back, so the other tests of the class see the domain as seeded.
        await page.FillAsync("#domain-catch-all", "");
        await page.ClickAsync("#domain-save");
        await Expect(page.Locator("#domain-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
    }

    [Fact]
    public async Task An_internationalized_domain_reads_in_Unicode_with_its_punycode_in_a_tooltip()
    {
        var page = await OpenAsync("/domains");
        var name = page.Locator($"[data-open='{Idn}'] .idn");
        await Expect(name).ToHaveTextAsync("bücher.test");
        await Expect(name).ToHaveAttributeAsync("title", Idn);
        await page.GotoAsync($"/mailboxes?domain={Idn}");
        await Expect(page.Locator("#mailbox-grid .idn").First).ToHaveTextAsync("jörg@bücher.test");
    }

    [Fact]
    public async Task The_domain_filter_of_Mailboxes_is_in_the_URL_and_New_mailbox_starts_in_that_domain()
    {
        var page = await OpenAsync("/mailboxes");
        await page.SelectOptionAsync("#mailbox-domain", new SelectOptionValue { Label = "bücher.test" });
        await Expect(page).ToHaveURLAsync(new Regex($"domain={Regex.Escape(Idn)}"));
        await Expect(page.Locator("#mailbox-total")).ToHaveTextAsync("1 mailbox(es)");
        await page.SelectOptionAsync("#mailbox-domain", new SelectOptionValue { Label = Domain });
        await Expect(page.Locator("#mailbox-total")).ToHaveTextAsync("2 mailbox(es)");
        await Browser.ScreenshotAsync(page, "mailboxes-filtered-1440.png", fullPage: false);

        await page.ClickAsync("#mailbox-new");
        await Expect(page).ToHaveURLAsync(new Regex($"/mailboxes/new\\?domain={Regex.Escape(Domain)}"));
        await Expect(page.Locator("#new-mailbox-domain option:checked")).ToHaveTextAsync("@" + Domain);

        // Quota in MiB this time: 500 MiB is stored as bytes; saved, then a second mailbox with the same form.
        foreach (var local in new[] { "carla", "dora" })
        {
            await page.FillAsync("#new-mailbox-local", local);
            await page.FillAsync("#new-mailbox-quota", "500");
            await page.SelectOptionAsync("#new-mailbox-quota-unit", new SelectOptionValue { Label = "MiB" });
            await page.ClickAsync("#new-mailbox-create");
            await Expect(page.Locator("#new-mailbox-created")).ToContainTextAsync($"{local}@{Domain}");
        }

        await using var db = host.Database.CreateContext();
        Assert.Equal([500L << 20, 500L << 20], await db.Mailboxes.Where(m => m.Address == $"carla@{Domain}" || m.Address == $"dora@{Domain}").Select(m => m.QuotaBytes).ToListAsync());
    }

    [Fact]
    public async Task A_quota_typed_in_MiB_saves_as_such_twice_and_a_GiB_value_reads_in_GiB()
    {
        var page = await OpenAsync($"/mailboxes/bert@{Domain}");
        await Expect(page.Locator("#mailbox-quota-unit option:checked")).ToHaveTextAsync("GiB");
        foreach (var mib in new[] { "750", "1500" })
        {
            await page.FillAsync("#mailbox-quota", mib);
            await page.SelectOptionAsync("#mailbox-quota-unit", new SelectOptionValue { Label = "MiB" });
            await page.ClickAsync("#mailbox-save");
            await Expect(page.Locator("#mailbox-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
            await using var db = host.Database.CreateContext();
            Assert.Equal(long.Parse(mib) << 20, (await db.Mailboxes.SingleAsync(m => m.Address == $"bert@{Domain}")).QuotaBytes);
        }

        // 0 in either unit is refused beside the field, in words of both units.
        await page.FillAsync("#mailbox-quota", "0");
        await page.ClickAsync("#mailbox-save");
        await Expect(page.Locator(".mud-input-control", new() { Has = page.Locator("#mailbox-quota") })).ToContainTextAsync("MiB");
        await Expect(page.Locator("#mailbox-progress")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_mailbox_page_lists_the_groups_that_deliver_to_it_and_opens_one()
    {
        var page = await OpenAsync($"/mailboxes/ada@{Domain}");
        await Expect(page.Locator($"#mailbox-groups [data-group='all@{Domain}']")).ToContainTextAsync("through a nested group");
        await Expect(page.Locator($"#mailbox-groups [data-group='team@{Domain}']")).Not.ToContainTextAsync("through a nested group");
        await page.Locator($"#mailbox-groups [data-group='team@{Domain}'] a").ClickAsync();
        await Expect(page.Locator("#group-editor")).ToContainTextAsync($"team@{Domain}");
        await Expect(page.Locator($"[data-member='ada@{Domain}']")).ToBeVisibleAsync();

        await page.GotoAsync($"/mailboxes/jörg@{Idn}");
        await Expect(page.Locator("#mailbox-groups-none")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_spam_scanner_page_leads_to_each_domain_s_filter_and_the_navigation_to_Import()
    {
        var page = await OpenAsync("/diagnostics/scanner");
        await page.Locator($"#scanner-domains [data-spam='{Domain}']").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync($"Spam filter of {Domain}");
        await page.ClickAsync("#nav-import");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Import mailboxes from CSV");
        await Expect(page.Locator("#nav-groups")).ToHaveTextAsync("Groups / aliases");
    }
}

/// <summary>The dashboard's first-run checklist on a console of its own (an empty database), ticked from what is really there.</summary>
public sealed class FirstRunTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    [Fact]
    public async Task An_empty_console_shows_the_steps_and_ticks_each_from_what_exists()
    {
        var admin = await host.CreateAdminAsync("first-run@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, "/");
        await Expect(page.Locator("#first-run")).ToContainTextAsync("0 of 4 done");
        await Expect(page.Locator("#first-run [data-done='false']")).ToHaveCountAsync(4);
        await Browser.ScreenshotAsync(page, "first-run-empty.png", fullPage: false);
        await page.Locator("#first-run [data-step='domain'] a").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/domains$"));

        await host.Database.SeedAsync("first.test", new MailboxSeed("ann", "ann's long password"));
        await page.GotoAsync("/");
        await Expect(page.Locator("#first-run")).ToContainTextAsync("2 of 4 done");
        await Expect(page.Locator("#first-run [data-step='domain']")).ToHaveAttributeAsync("data-done", "true");
        await Expect(page.Locator("#first-run [data-step='mailbox']")).ToHaveAttributeAsync("data-done", "true");
        await Expect(page.Locator("#first-run [data-step='dns'] a")).ToHaveAttributeAsync("href", "/domains/first.test/dns");
        await Expect(page.Locator("#first-run [data-step='message']")).ToContainTextAsync("to ann@first.test");
        await Browser.ScreenshotAsync(page, "first-run-half.png", fullPage: false);
    }
}
