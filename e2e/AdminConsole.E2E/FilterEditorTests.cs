using System.Text.RegularExpressions;
using AdminConsole.Core.Filters;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// My filters (#20 item 13): rules built from "if … then …" rows write the Sieve script shown
/// under them, save twice, come back as rules after a reload; the script editor numbers its lines
/// and marks the line the server refused.
/// </summary>
public sealed class FilterEditorTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{

    private async Task<IPage> OpenAsync(string local, int width = 1440)
    {
        await host.Database.SeedAsync($"{local}-filters.test", new MailboxSeed(local, $"{local}'s long password"));
        return await browser.SignInAsync(host, $"{local}@{local}-filters.test", $"{local}'s long password", "/account/filters",
            new ViewportSize { Width = width, Height = width > 600 ? 900 : 844 });
    }

    [Fact]
    public async Task Rules_write_the_script_save_twice_and_are_read_back_after_a_reload()
    {
        var page = await OpenAsync("rita");
        const string address = "rita@rita-filters.test";

        await page.ClickAsync("#rule-builder-add");
        await page.FillAsync("#rule-1-value", "boss@example.com");
        await page.FillAsync("#rule-1-argument", "Boss");
        await page.PressAsync("#rule-1-argument", "Tab");
        await Expect(page.Locator("#filters-script")).ToHaveValueAsync(new Regex("fileinto :create \"Boss\";"));
        await Expect(page.Locator(".code-editor-gutter div")).ToHaveCountAsync(8);
        await page.ClickAsync("#filters-save");
        await Expect(page.Locator("#filters-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);

        // A second rule, then the second save.
        await page.ClickAsync("#rule-builder-add");
        await page.SelectOptionAsync("#rule-2-field", new SelectOptionValue { Label = "Subject" });
        await page.FillAsync("#rule-2-value", "newsletter");
        await page.SelectOptionAsync("#rule-2-action", new SelectOptionValue { Label = "mark as read" });
        await Expect(page.Locator("#rule-2-argument")).ToHaveCountAsync(0);
        await page.ClickAsync("#filters-save");
        await Expect(page.Locator("#filters-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
        await Expect(page.Locator("#filters-script")).ToHaveValueAsync(new Regex("addflag \"\\\\\\\\Seen\";"));
        await Browser.ScreenshotAsync(page, "filters-rules-1440.png");

        await using (var db = host.Database.CreateContext())
        {
            var script = (await db.SieveFilters.SingleAsync(f => f.Mailbox!.Address == address)).Script;
            Assert.True(FilterRules.TryRead(script, out var rules), script);
            Assert.Equal([new FilterRule(RuleField.From, RuleMatch.Contains, "boss@example.com", RuleAction.MoveToFolder, "Boss"),
                new FilterRule(RuleField.Subject, RuleMatch.Contains, "newsletter", RuleAction.MarkRead)], rules);
            // What the engine will do with such a message, by its own interpreter.
            var trial = SieveFilterService.Test(address, script, "From: The Boss <boss@example.com>\r\nTo: rita@rita-filters.test\r\nSubject: hi\r\n\r\nBody\r\n", null, null, DateTimeOffset.UtcNow);
            Assert.Equal(["fileinto \"Boss\" create"], trial.Actions);
        }

        await page.ReloadAsync();
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.Locator("#rule-1-value")).ToHaveValueAsync("boss@example.com");
        await Expect(page.Locator("#rule-2-value")).ToHaveValueAsync("newsletter");
        await Expect(page.Locator("#rule-2-action option:checked")).ToHaveTextAsync("mark as read");

        // Removing a rule rewrites the script.
        await page.ClickAsync("[data-remove-rule='1']");
        await Expect(page.Locator("#filters-script")).Not.ToHaveValueAsync(new Regex("Boss"));
        await Expect(page.Locator("[data-rule]")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_hand_written_script_is_left_alone_and_a_refused_line_is_marked_in_the_gutter()
    {
        var page = await OpenAsync("hugo");
        const string broken = "require \"fileinto\";\nif header :contains \"from\" \"x\" {\n    frobnicate;\n}\n";
        await page.FillAsync("#filters-script", broken);
        await page.ClickAsync("#filters-save");
        await Expect(page.Locator("#filters-script-error")).ToContainTextAsync("3:");
        await Expect(page.Locator(".code-editor-gutter .code-editor-line-error")).ToHaveTextAsync("3");
        await Expect(page.Locator("#filters-progress")).ToHaveCountAsync(0);
        await Expect(page.Locator("#rule-builder-hand-written")).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "filters-refused-line-1440.png", fullPage: false);
        await using (var db = host.Database.CreateContext())
            Assert.False(await db.SieveFilters.AnyAsync(f => f.Mailbox!.Address == "hugo@hugo-filters.test"));

        // Fixed by hand: saved, the mark goes, and the rule builder does not touch it.
        const string fixedScript = "require \"fileinto\";\nif header :contains \"from\" \"x\" {\n    fileinto \"X\";\n}\n";
        await page.FillAsync("#filters-script", fixedScript);
        await page.ClickAsync("#filters-save");
        await Expect(page.Locator("#filters-progress")).ToHaveAttributeAsync("data-state", Browser.SavedState);
        await Expect(page.Locator(".code-editor-gutter .code-editor-line-error")).ToHaveCountAsync(0);
        await Expect(page.Locator("#rule-builder-hand-written")).ToBeVisibleAsync();
        await Expect(page.Locator("#filters-script")).ToHaveValueAsync(fixedScript);

        // Starting over with rules replaces it only when asked.
        await page.ClickAsync("#rule-builder-start-over");
        await Expect(page.Locator("#filters-script")).ToHaveValueAsync("");
        await Expect(page.Locator("[data-rule]")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_rule_builder_fits_a_phone()
    {
        var page = await OpenAsync("pia", 390);
        await page.ClickAsync("#rule-builder-add");
        await page.FillAsync("#rule-1-value", "a-rather-long-sender-address@example.com");
        await page.PressAsync("#rule-1-value", "Tab");
        await Browser.ScreenshotAsync(page, "filters-rules-390.png");
        Assert.True(await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth") <= 0, "My filters is wider than a phone");
    }
}
