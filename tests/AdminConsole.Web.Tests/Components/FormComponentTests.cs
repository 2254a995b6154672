using AdminConsole.Testing;
using AdminConsole.Web.Features.Groups;
using AdminConsole.Web.Features.Mailboxes;
using AdminConsole.Web.Features.Vacation;
using Bunit;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Tests.Components;

/// <summary>bUnit tests of the mailbox grid, the group editor and the vacation form against the real database.</summary>
public sealed class FormComponentTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private async Task<string> SeedAsync(params string[] locals)
    {
        var name = $"c{Guid.NewGuid():N}"[..12] + ".test";
        var start = DateTimeOffset.UtcNow;
        await host.Database.SeedAsync(name, [.. locals.Select((local, i) => new MailboxSeed(local, DisplayName: $"Person {local}", QuotaBytes: 1L << 30, CreatedAt: start.AddMinutes(i)))]);
        return name;
    }

    [Fact]
    public async Task The_grid_shows_a_server_page_with_the_total_and_searches_on_the_server()
    {
        var domain = await SeedAsync([.. Enumerable.Range(0, 30).Select(n => $"user{n:00}")]);
        await using var ctx = new ComponentTestContext(host);
        var grid = ctx.Render<MailboxGrid>(p => p.Add(g => g.Domain, domain));

        grid.WaitForAssertion(() => Assert.Equal("30 mailbox(es)", grid.Find("#mailbox-total").TextContent));
        var rows = grid.FindAll("tbody tr.mud-table-row");
        Assert.Equal(25, rows.Count); // the first page only
        Assert.StartsWith($"user00@{domain}", rows[0].TextContent, StringComparison.Ordinal);

        grid.Find("#mailbox-search").Input("user2");
        grid.WaitForAssertion(() => Assert.Equal("10 mailbox(es)", grid.Find("#mailbox-total").TextContent), TimeSpan.FromSeconds(10));
        Assert.All(grid.FindAll("tbody tr.mud-table-row"), r => Assert.Contains("user2", r.TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_group_editor_previews_the_expansion_and_names_a_loop_beside_the_members()
    {
        var domain = await SeedAsync("amy", "ben");
        await using var ctx = new ComponentTestContext(host);
        var editor = ctx.Render<GroupEditor>();
        await editor.InvokeAsync(() => editor.Find("#group-address").Change($"team@{domain}"));
        foreach (var member in new[] { "amy", "ben", "Guest@Elsewhere.example" })
        {
            await editor.InvokeAsync(() => editor.Find("#group-member-input").Input(member));
            await editor.InvokeAsync(() => editor.Find("#group-member-add").Click());
        }

        editor.WaitForAssertion(() => Assert.Equal([$"amy@{domain}", $"ben@{domain}", "guest@elsewhere.example"],
            editor.FindAll("#group-expansion .expansion-address").Select(e => e.TextContent)));
        // The external member is marked in the chips and the expansion, and its made-up top-level domain is warned of.
        Assert.Equal("true", editor.Find("[data-member='Guest@Elsewhere.example']").GetAttribute("data-external"));
        Assert.Contains("(external)", editor.Find("[data-member='Guest@Elsewhere.example']").TextContent, StringComparison.Ordinal);
        Assert.Null(editor.Find("[data-member='amy']").GetAttribute("data-external"));
        Assert.Single(editor.FindAll("#group-expansion .expansion-external"));
        Assert.Contains("guest@elsewhere.example is outside your domains, and .example is no top-level domain", editor.Find("#group-warnings").TextContent, StringComparison.Ordinal);
        await editor.InvokeAsync(() => editor.Find("#group-save").Click());
        editor.WaitForAssertion(() => editor.Find("#group-progress"));
        await using (var db = host.Database.CreateContext())
            Assert.Equal(3, await db.Groups.Where(g => g.Address == $"team@{domain}").SelectMany(g => g.Members).CountAsync());

        // A group that contains team, then team made to contain it: refused, with the cycle beside the field.
        await using var other = new ComponentTestContext(host);
        var outer = other.Render<GroupEditor>();
        await outer.InvokeAsync(() => outer.Find("#group-address").Change($"all@{domain}"));
        await outer.InvokeAsync(() => outer.Find("#group-member-input").Input($"team@{domain}"));
        await outer.InvokeAsync(() => outer.Find("#group-member-add").Click());
        await outer.InvokeAsync(() => outer.Find("#group-save").Click());
        outer.WaitForAssertion(() => outer.Find("#group-progress"));

        var loop = ctx.Render<GroupEditor>(p => p.Add(g => g.Existing, $"team@{domain}").Add(g => g.Members, ["amy", "ben"]));
        await loop.InvokeAsync(() => loop.Find("#group-member-input").Input($"all@{domain}"));
        await loop.InvokeAsync(() => loop.Find("#group-member-add").Click());
        loop.WaitForAssertion(() => Assert.Contains($"team@{domain} → all@{domain} → team@{domain}", loop.Find("#group-editor").TextContent, StringComparison.Ordinal));
        // Awaited to the end of the handler, so the count below is read after the refused save.
        await loop.InvokeAsync(() => loop.Find("#group-save").ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs()));
        Assert.Contains($"team@{domain} → all@{domain} → team@{domain}", loop.Find("#group-editor").TextContent, StringComparison.Ordinal);
        Assert.Empty(loop.FindAll("#group-progress"));
        await using (var db = host.Database.CreateContext())
            Assert.Equal(3, await db.Groups.Where(g => g.Address == $"team@{domain}").SelectMany(g => g.Members).CountAsync());
    }

    [Fact]
    public async Task The_vacation_form_saves_the_rule_shows_the_preview_and_the_script_and_puts_errors_beside_fields()
    {
        var domain = await SeedAsync("vic");
        await using var ctx = new ComponentTestContext(host);
        var form = ctx.Render<VacationForm>(p => p.Add(f => f.Address, $"vic@{domain}"));
        form.WaitForAssertion(() => form.Find("#vacation-body"));

        // On, but without a reply text: refused beside the field, nothing stored.
        form.Find("#vacation-enabled").Change(true);
        form.Find("#vacation-save").Click();
        form.WaitForAssertion(() => Assert.Contains("Write the reply that senders get.", form.Find("#vacation-form").TextContent, StringComparison.Ordinal));
        await using (var db = host.Database.CreateContext()) Assert.False(await db.VacationRules.AnyAsync(r => r.Mailbox!.Address == $"vic@{domain}"));

        form.Find("#vacation-subject").Input("Out until the 4th");
        form.Find("#vacation-body").Input("I am away; Ann covers for me.");
        Assert.Equal("Out until the 4th", form.Find("#vacation-preview-subject").TextContent);
        form.Find("#vacation-save").Click();
        form.WaitForAssertion(() => Assert.Contains("vacation :days 7 :subject \"Out until the 4th\"", form.Find("#vacation-script").TextContent, StringComparison.Ordinal));
        Assert.Contains("components@example.com", form.Find("#vacation-set-by").TextContent, StringComparison.Ordinal);
        await using (var db = host.Database.CreateContext())
        {
            var rule = await db.VacationRules.SingleAsync(r => r.Mailbox!.Address == $"vic@{domain}");
            Assert.True(rule.Enabled);
            Assert.Equal("admin:components@example.com", rule.UpdatedBy);
        }
    }

    [Fact]
    public async Task The_filters_editor_refuses_a_bad_script_beside_the_field_saves_a_good_one_and_tries_it_on_a_message()
    {
        var domain = await SeedAsync("fay");
        await using var ctx = new ComponentTestContext(host);
        var editor = ctx.Render<AdminConsole.Web.Features.Filters.FiltersEditor>(p => p.Add(f => f.Address, $"fay@{domain}"));
        editor.WaitForAssertion(() => editor.Find("#filters-script"));

        editor.Find("#filters-script").Change("require \"fileinto\";\nfileinto;");
        await editor.InvokeAsync(() => editor.Find("#filters-save").Click());
        editor.WaitForAssertion(() => Assert.Contains("2:1: fileinto takes 1 argument(s), 0 given", editor.Find("#filters-editor").TextContent, StringComparison.Ordinal));
        await using (var db = host.Database.CreateContext()) Assert.False(await db.SieveFilters.AnyAsync(f => f.Mailbox!.Address == $"fay@{domain}"));

        const string good = "require \"fileinto\";\nif header :contains \"subject\" \"invoice\" { fileinto \"Invoices\"; }";
        editor.Find("#filters-script").Change(good);
        editor.Find("#filters-test-message").Change("From: a@b.test\nSubject: Your invoice\n\nPay.\n");
        await editor.InvokeAsync(() => editor.Find("#filters-test").Click());
        Assert.Equal("fileinto \"Invoices\"", editor.Find("#filters-test-actions").TextContent);

        await editor.InvokeAsync(() => editor.Find("#filters-save").Click());
        editor.WaitForAssertion(() => Assert.Contains("components@example.com", editor.Find("#filters-set-by").TextContent, StringComparison.Ordinal));
        await using (var db = host.Database.CreateContext())
        {
            var filter = await db.SieveFilters.SingleAsync(f => f.Mailbox!.Address == $"fay@{domain}");
            Assert.Equal(good, filter.Script);
            Assert.Equal("admin:components@example.com", filter.UpdatedBy);
        }
    }

    [Fact]
    public async Task The_spam_filter_page_puts_a_threshold_error_beside_its_field_and_saves_good_thresholds()
    {
        var domain = await SeedAsync("sid");
        await using var ctx = new ComponentTestContext(host);
        var page = ctx.Render<AdminConsole.Web.Features.Spam.SpamRulesPage>(p => p.Add(f => f.Name, domain));
        page.WaitForAssertion(() => page.Find("#spam-junk"));
        Assert.Contains("SUBJ_FREE", page.Find("#spam-rules").TextContent, StringComparison.Ordinal);

        page.Find("#spam-header").Input("8");
        page.Find("#spam-junk").Input("6");
        await page.InvokeAsync(() => page.Find("#spam-save").Click());
        page.WaitForAssertion(() => Assert.Contains("The Junk threshold cannot be below the header threshold.", page.Find("#spam-thresholds").TextContent, StringComparison.Ordinal));
        await using (var db = host.Database.CreateContext()) Assert.Equal(5, (await db.Domains.SingleAsync(d => d.Name == domain)).SpamHeaderThreshold);

        page.Find("#spam-header").Input("4");
        page.Find("#spam-reject").Input("12");
        await page.InvokeAsync(() => page.Find("#spam-save").Click());
        page.WaitForAssertion(() => Assert.Equal("saved", page.Find("#spam-progress").GetAttribute("data-state")));
        await using (var db = host.Database.CreateContext())
        {
            var saved = await db.Domains.SingleAsync(d => d.Name == domain);
            Assert.Equal((4.0, 6.0, 12.0), (saved.SpamHeaderThreshold, saved.SpamJunkThreshold, saved.SpamRejectThreshold));
        }
    }
}
