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
            "    text:\r\nI am away.\r\n..dot line\r\n.;\r\n",
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
        Assert.EndsWith("\r\n}\r\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_turned_off_compiles_to_no_action() =>
        Assert.DoesNotContain("vacation :", VacationSieveScript.Compile(new VacationRule { Enabled = false, Body = "x" }, "a@b.c"), StringComparison.Ordinal);
}
