using AdminConsole.Core.Vacation;

namespace AdminConsole.Core.Tests.Vacation;

public sealed class VacationSieveScriptTests
{
    [Fact]
    public void A_rule_without_a_period_is_a_plain_vacation_action()
    {
        var rule = new VacationRule { Enabled = true, Subject = "Away \"until\" Monday", Body = "I am away.\n.dot line", ReplyIntervalDays = 3, ExtraAddresses = ["ann.other@example.com"] };
        Assert.Equal(
            "require [\"vacation\"];\r\n" +
            "vacation :days 3 :subject \"Away \\\"until\\\" Monday\" :addresses [\"ann@example.com\", \"ann.other@example.com\"]\r\n" +
            "    text:\r\nI am away.\r\n..dot line\r\n.\r\n;\r\n",
            VacationSieveScript.Compile(rule, "ann@example.com"));
    }

    [Fact]
    public void A_period_becomes_currentdate_tests_in_UTC()
    {
        var rule = new VacationRule
        {
            Enabled = true, Body = "Back soon", StartsAt = new DateTimeOffset(2026, 12, 20, 9, 0, 0, TimeSpan.FromHours(1)),
            EndsAt = new DateTimeOffset(2027, 1, 4, 0, 0, 0, TimeSpan.Zero),
        };
        var script = VacationSieveScript.Compile(rule, "ann@example.com");
        Assert.StartsWith("require [\"vacation\", \"date\", \"relational\"];\r\nif allof(currentdate :zone \"+0000\" :value \"ge\" \"iso8601\" \"2026-12-20T08:00:00+00:00\", currentdate :zone \"+0000\" :value \"lt\" \"iso8601\" \"2027-01-04T00:00:00+00:00\") {\r\n", script, StringComparison.Ordinal);
        Assert.EndsWith("\r\n.\r\n    ;\r\n}\r\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_turned_off_compiles_to_no_action() =>
        Assert.DoesNotContain("vacation :", VacationSieveScript.Compile(new VacationRule { Enabled = false, Body = "x" }, "a@b.c"), StringComparison.Ordinal);

    [Theory]
    [InlineData("2026-12-20T07:59:00Z", false)]
    [InlineData("2026-12-20T08:00:00Z", true)]
    [InlineData("2027-01-03T23:59:00Z", true)]
    [InlineData("2027-01-04T00:00:00Z", false)]
    public void The_engines_interpreter_runs_the_compiled_rule_only_within_its_period(string now, bool replies)
    {
        var rule = new VacationRule
        {
            Enabled = true, Subject = "Away", Body = "I am away.\n.dot line\n    indented stays as written", ReplyIntervalDays = 2,
            StartsAt = new DateTimeOffset(2026, 12, 20, 9, 0, 0, TimeSpan.FromHours(1)), EndsAt = new DateTimeOffset(2027, 1, 4, 0, 0, 0, TimeSpan.Zero),
        };
        var compiled = MailEngine.Sieve.SieveParser.Compile(VacationSieveScript.Compile(rule, "ann@example.com"));
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Errors));
        var message = MimeKit.MimeMessage.Load(new MemoryStream("From: bo@example.net\r\nTo: ann@example.com\r\nSubject: hi\r\n\r\nhello\r\n"u8.ToArray()));
        var result = MailEngine.Sieve.SieveInterpreter.Run(compiled.Script!,
            new MailEngine.Sieve.SieveMessage(message, 60, new MailEngine.Sieve.SieveEnvelope("bo@example.net", "ann@example.com")),
            new MailEngine.Sieve.SieveContext { Now = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), Recipient = "ann@example.com" });
        var vacation = result.Actions.OfType<MailEngine.Sieve.VacationAction>().SingleOrDefault();
        Assert.Equal(replies, vacation is not null);
        if (vacation is null) return;
        Assert.Equal("Away", vacation.Subject);
        Assert.Equal("I am away.\r\n.dot line\r\n    indented stays as written\r\n", vacation.Reason);
        Assert.Equal(TimeSpan.FromDays(2), vacation.Period);
    }
}
