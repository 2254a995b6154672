using System.Globalization;
using System.Text;

namespace AdminConsole.Core.Vacation;

/// <summary>
/// Compiles a <see cref="VacationRule"/> into the Sieve script the engine runs after the user's own
/// script: a vacation action (RFC 5230) guarded by currentdate tests (RFC 5260 5.3) for the period.
/// The script is what the self-service page shows read-only; the rule stays the source of truth.
/// </summary>
public static class VacationSieveScript
{
    public static string Compile(VacationRule rule, string mailboxAddress)
    {
        if (!rule.Enabled) return "# The vacation reply is off.\r\n";
        var script = new StringBuilder();
        var extensions = new List<string> { "vacation" };
        if (rule.StartsAt is not null || rule.EndsAt is not null) extensions.AddRange(["date", "relational"]);
        script.Append("require [").AppendJoin(", ", extensions.Select(Quote)).Append("];\r\n");

        var conditions = new List<string>();
        // RFC 5260 5.3 with the "iso8601" date-part and :value "ge"/"lt" (RFC 5231): the whole
        // comparison is done on UTC timestamps, which compare correctly as strings.
        if (rule.StartsAt is { } start) conditions.Add($"currentdate :zone \"+0000\" :value \"ge\" \"iso8601\" {Quote(Utc(start))}");
        if (rule.EndsAt is { } end) conditions.Add($"currentdate :zone \"+0000\" :value \"lt\" \"iso8601\" {Quote(Utc(end))}");

        var addresses = new[] { mailboxAddress }.Concat(rule.ExtraAddresses).Distinct(StringComparer.Ordinal).ToList();
        string Action(string indent)
        {
            var action = new StringBuilder(indent).Append("vacation :days ").Append(rule.ReplyIntervalDays.ToString(CultureInfo.InvariantCulture));
            if (rule.Subject.Length > 0) action.Append(" :subject ").Append(Quote(rule.Subject));
            action.Append(" :addresses [").AppendJoin(", ", addresses.Select(Quote)).Append(']');
            // The reply's own lines are not indented: they are the text (RFC 5228 2.4.2), and the
            // closing "." must stand alone on its line, so ';' follows on the next one.
            action.Append("\r\n").Append(indent).Append("    ").Append(MultiLine(rule.Body)).Append(indent).Append(";\r\n");
            return action.ToString();
        }

        if (conditions.Count == 0) script.Append(Action(string.Empty));
        else
        {
            script.Append(conditions.Count == 1 ? $"if {conditions[0]}" : $"if allof({string.Join(", ", conditions)})");
            script.Append(" {\r\n").Append(Action("    ")).Append("}\r\n");
        }

        return script.ToString();
    }

    // The same shape as Sieve's "iso8601" date-part in the zone given, "YYYY-MM-DDTHH:MM:SS+00:00"
    // (RFC 5260 4.2 with :zone "+0000"), so that the two compare as strings.
    private static string Utc(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>A quoted string (RFC 5228 2.4.2): backslash and double quote are escaped.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A multi-line string (RFC 5228 2.4.2): "text:", the lines with a leading dot doubled, then "." alone on a line.</summary>
    private static string MultiLine(string body)
    {
        var text = new StringBuilder("text:\r\n");
        foreach (var line in body.ReplaceLineEndings("\n").Split('\n'))
            text.Append(line.StartsWith('.') ? "." : "").Append(line).Append("\r\n");
        return text.Append(".\r\n").ToString();
    }
}
