using AdminConsole.Core.Filters;

namespace AdminConsole.Core.Tests.Filters;

/// <summary>
/// The rule builder's rules written as Sieve, compiled and run by the engine's own interpreter on
/// real messages, and read back from the script; hand-written scripts are left alone.
/// </summary>
public sealed class FilterRulesTests
{
    private const string Mailbox = "me@example.com";
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static readonly FilterRule[] Rules =
    [
        new(RuleField.From, RuleMatch.Contains, "boss@example.com", RuleAction.MoveToFolder, "Boss"),
        new(RuleField.List, RuleMatch.Contains, "announce.lists.example.org", RuleAction.MarkRead),
        new(RuleField.Subject, RuleMatch.Is, "Weekly \"report\"", RuleAction.Forward, "Archive@Example.com"),
        new(RuleField.To, RuleMatch.Contains, "old-alias@", RuleAction.Discard),
    ];

    private static string Message(string headers) => headers.Trim() + "\nDate: Wed, 2 Dec 2026 08:00:00 +0000\nMessage-ID: <m@example.com>\n\nBody.\n";

    private static IReadOnlyList<string> Run(string script, string headers)
    {
        var result = SieveFilterService.Test(Mailbox, script, Message(headers), null, null, Now);
        Assert.Empty(result.Errors);
        return result.Actions;
    }

    [Fact]
    public void The_rules_compile_and_the_first_that_matches_applies()
    {
        var script = FilterRules.ToSieve(Rules);
        Assert.Empty(SieveFilterService.Check(script));
        Assert.StartsWith("# Made with the console's rule builder", script, StringComparison.Ordinal);
        Assert.Contains("require [\"copy\", \"fileinto\", \"imap4flags\", \"mailbox\"];", script, StringComparison.Ordinal);

        Assert.Equal(["fileinto \"Boss\" create"], Run(script, "From: The Boss <boss@example.com>\nTo: me@example.com\nSubject: hi"));
        Assert.Equal(["addflag \"\\\\Seen\"", "keep flags \"\\\\Seen\""], Run(script, "From: list@lists.example.org\nTo: me@example.com\nList-Id: News <announce.lists.example.org>\nSubject: news"));
        Assert.Equal(["redirect \"archive@example.com\" copy", "keep"], Run(script, "From: a@example.net\nTo: me@example.com\nSubject: weekly \"REPORT\""));
        Assert.Equal(["discard"], Run(script, "From: a@example.net\nTo: x@example.com\nCc: old-alias@example.com\nSubject: hi"));
        // Both the boss and the list: the first rule wins and stops.
        Assert.Equal(["fileinto \"Boss\" create"], Run(script, "From: boss@example.com\nTo: me@example.com\nList-Id: <announce.lists.example.org>\nSubject: x"));
        // Nothing matches: the Inbox.
        Assert.Equal(["keep"], Run(script, "From: a@example.net\nTo: me@example.com\nSubject: weekly report, draft"));
    }

    [Fact]
    public void A_display_name_is_not_the_address()
    {
        var script = FilterRules.ToSieve([new(RuleField.From, RuleMatch.Contains, "boss", RuleAction.Discard)]);
        Assert.Equal(["keep"], Run(script, "From: The boss himself <someone@example.net>\nTo: me@example.com\nSubject: x"));
        Assert.Equal(["discard"], Run(script, "From: bossy@example.net\nTo: me@example.com\nSubject: x"));
    }

    [Fact]
    public void The_rules_are_read_back_from_the_script_they_wrote()
    {
        Assert.True(FilterRules.TryRead(FilterRules.ToSieve(Rules), out var read));
        Assert.Equal(Rules.Select(r => r with { Argument = r.Action == RuleAction.Forward ? r.Argument.ToLowerInvariant() : r.Argument }), read);
        Assert.True(FilterRules.TryRead("", out var none));
        Assert.Empty(none);
        Assert.Equal("", FilterRules.ToSieve([]));
    }

    [Theory]
    [InlineData("require \"fileinto\";\nif header :contains \"from\" \"x\" { fileinto \"X\"; }\n")]
    [InlineData("# Made with the console's rule builder: the first rule that matches applies.\n\nif header :contains \"subject\" \"x\" {\n    discard;\n    stop;\n}\n# and a line added by hand\n")]
    [InlineData("# Made with the console's rule builder: the first rule that matches applies.\n\nif header :contains \"subject\" \"x\" {\n    keep;\n    stop;\n}\n")]
    public void A_script_written_or_changed_by_hand_is_not_read_as_rules(string script)
    {
        Assert.False(FilterRules.TryRead(script, out var rules));
        Assert.Empty(rules);
    }

    [Fact]
    public void Wrong_rules_are_refused_each_with_its_number_and_nothing_is_written()
    {
        FilterRule[] wrong =
        [
            new(RuleField.Subject, RuleMatch.Contains, " ", RuleAction.Discard),
            new(RuleField.From, RuleMatch.Contains, "x", RuleAction.MoveToFolder, ""),
            new(RuleField.From, RuleMatch.Contains, "x", RuleAction.Forward, "not an address"),
            new(RuleField.Subject, RuleMatch.Contains, "line\nbreak", RuleAction.Discard),
            new(RuleField.Subject, RuleMatch.Contains, new string('x', 201), RuleAction.Discard),
        ];
        var errors = FilterRules.Check(wrong);
        Assert.Equal(5, errors.Count);
        Assert.StartsWith("rule 1: say what the subject", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("rule 2: name the folder", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("rule 3: forward to:", errors[2], StringComparison.Ordinal);
        Assert.StartsWith("rule 4:", errors[3], StringComparison.Ordinal);
        Assert.StartsWith("rule 5:", errors[4], StringComparison.Ordinal);
        var refused = Assert.Throws<DomainValidationException>(() => FilterRules.ToSieve(wrong));
        Assert.Equal("rules", refused.Field);
    }
}
