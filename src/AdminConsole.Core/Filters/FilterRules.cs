using System.Text;
using System.Text.RegularExpressions;
using MailEngine.Addressing;

namespace AdminConsole.Core.Filters;

/// <summary>What a simple rule looks at.</summary>
public enum RuleField { From, To, Subject, List }

/// <summary>How a rule compares: the field contains the value, or is exactly it (ignoring case, RFC 4790 i;ascii-casemap).</summary>
public enum RuleMatch { Contains, Is }

/// <summary>What a rule does with a message that matches.</summary>
public enum RuleAction { MoveToFolder, MarkRead, Forward, Discard }

/// <summary>
/// One rule of the rule builder: "if From contains boss@example.com then move to folder Boss".
/// <paramref name="Argument"/> is the folder (MoveToFolder) or the address (Forward); empty otherwise.
/// </summary>
public sealed record FilterRule(RuleField Field, RuleMatch Match, string Value, RuleAction Action, string Argument = "");

/// <summary>
/// The rule builder's rules as Sieve (RFC 5228) and back. The script is what is saved and what the
/// engine runs; the rules are read back from it, so there is one truth. The first rule that matches
/// applies and stops the script ("stop"); a message no rule matches stays in the Inbox. A script
/// written by hand that is not in this shape is not read as rules (<see cref="TryRead"/> is false), so
/// the builder never rewrites what it does not understand.
/// </summary>
public static partial class FilterRules
{
    public const int MaxRules = 100;
    public const int MaxValueLength = 200;

    private const string Header = "# Made with the console's rule builder: the first rule that matches applies.";

    /// <summary>The rules that are wrong, each as "rule N: why"; none when all can be written.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<FilterRule> rules)
    {
        var errors = new List<string>();
        if (rules.Count > MaxRules) errors.Add($"At most {MaxRules} rules.");
        for (var i = 0; i < rules.Count; i++)
        {
            var (rule, n) = (rules[i], i + 1);
            if (string.IsNullOrWhiteSpace(rule.Value)) errors.Add($"rule {n}: say what the {Name(rule.Field)} should contain.");
            else if (rule.Value.Length > MaxValueLength) errors.Add($"rule {n}: the text to look for is at most {MaxValueLength} characters.");
            else if (rule.Value.Any(char.IsControl)) errors.Add($"rule {n}: the text to look for cannot contain line breaks or control characters.");
            switch (rule.Action)
            {
                case RuleAction.MoveToFolder when string.IsNullOrWhiteSpace(rule.Argument):
                    errors.Add($"rule {n}: name the folder to move the message to.");
                    break;
                case RuleAction.MoveToFolder when rule.Argument.Any(char.IsControl) || rule.Argument.Length > MaxValueLength:
                    errors.Add($"rule {n}: a folder name has no control characters and at most {MaxValueLength} characters.");
                    break;
                case RuleAction.Forward when !EmailAddress.TryParse(rule.Argument, out _, out var error):
                    errors.Add($"rule {n}: forward to: {error}");
                    break;
            }
        }

        return errors;
    }

    /// <summary>The rules as a Sieve script; throws <see cref="DomainValidationException"/> (field "rules") with every problem when some are wrong.</summary>
    public static string ToSieve(IReadOnlyList<FilterRule> rules)
    {
        if (Check(rules) is { Count: > 0 } errors) throw new DomainValidationException("rules", string.Join(" ", errors));
        if (rules.Count == 0) return string.Empty;

        var extensions = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            switch (rule.Action)
            {
                case RuleAction.MoveToFolder: extensions.Add("fileinto"); extensions.Add("mailbox"); break;
                case RuleAction.MarkRead: extensions.Add("imap4flags"); break;
                case RuleAction.Forward: extensions.Add("copy"); break;
            }
        }

        var sieve = new StringBuilder();
        sieve.Append(Header).Append('\n');
        if (extensions.Count > 0) sieve.Append("require [").AppendJoin(", ", extensions.Select(Quote)).Append("];\n");
        foreach (var rule in rules)
        {
            sieve.Append('\n').Append("if ").Append(Test(rule)).Append(" {\n");
            sieve.Append("    ").Append(Action(rule)).Append('\n');
            sieve.Append("    stop;\n}\n");
        }

        return sieve.ToString();
    }

    /// <summary>Reads the rules back from a script this class wrote (an empty script is no rules); false for anything else.</summary>
    public static bool TryRead(string? script, out IReadOnlyList<FilterRule> rules)
    {
        rules = [];
        var text = (script ?? string.Empty).ReplaceLineEndings("\n");
        if (text.Trim().Length == 0) return true;
        if (!text.StartsWith(Header + "\n", StringComparison.Ordinal)) return false;

        var read = new List<FilterRule>();
        foreach (Match m in RulePattern().Matches(text))
        {
            var field = (m.Groups["kind"].Value, m.Groups["target"].Value) switch
            {
                ("address", "\"from\"") => RuleField.From,
                ("address", "[\"to\", \"cc\"]") => RuleField.To,
                ("header", "\"subject\"") => RuleField.Subject,
                ("header", "\"list-id\"") => RuleField.List,
                _ => (RuleField?)null,
            };
            if (field is null) return false;
            var match = m.Groups["match"].Value == "is" ? RuleMatch.Is : RuleMatch.Contains;
            var value = Unquote(m.Groups["value"].Value);
            var action = m.Groups["action"].Value;
            FilterRule rule;
            if (action.StartsWith("fileinto :create ", StringComparison.Ordinal)) rule = new(field.Value, match, value, RuleAction.MoveToFolder, Unquote(action["fileinto :create ".Length..^1]));
            else if (action == "addflag \"\\\\Seen\";") rule = new(field.Value, match, value, RuleAction.MarkRead);
            else if (action.StartsWith("redirect :copy ", StringComparison.Ordinal)) rule = new(field.Value, match, value, RuleAction.Forward, Unquote(action["redirect :copy ".Length..^1]));
            else if (action == "discard;") rule = new(field.Value, match, value, RuleAction.Discard);
            else return false;
            read.Add(rule);
        }

        // Only when writing the rules again gives the same script is it really ours, untouched.
        if (read.Count == 0 || Check(read).Count > 0 || ToSieve(read) != text) return false;
        rules = read;
        return true;
    }

    private static string Test(FilterRule rule)
    {
        var match = rule.Match == RuleMatch.Is ? "is" : "contains";
        // From and To compare addresses (RFC 5228 §5.1, the whole address by default), so a display
        // name does not match by accident; To covers Cc too, where list and group mail often puts us.
        var test = rule.Field switch
        {
            RuleField.From => $"address :{match} \"from\"",
            RuleField.To => $"address :{match} [\"to\", \"cc\"]",
            RuleField.Subject => $"header :{match} \"subject\"",
            _ => $"header :{match} \"list-id\"",
        };
        return $"{test} {Quote(rule.Value.Trim())}";
    }

    private static string Action(FilterRule rule) => rule.Action switch
    {
        RuleAction.MoveToFolder => $"fileinto :create {Quote(rule.Argument.Trim())};",
        RuleAction.MarkRead => "addflag \"\\\\Seen\";",
        RuleAction.Forward => $"redirect :copy {Quote(EmailAddress.Parse(rule.Argument).ToString())};",
        _ => "discard;",
    };

    /// <summary>A Sieve quoted string (RFC 5228 §2.4.2): backslash and double quote escaped.</summary>
    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static string Unquote(string quoted)
    {
        var inner = quoted.Length >= 2 && quoted[0] == '"' && quoted[^1] == '"' ? quoted[1..^1] : quoted;
        var text = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == '\\' && i + 1 < inner.Length) i++;
            text.Append(inner[i]);
        }

        return text.ToString();
    }

    private static string Name(RuleField field) => field switch
    {
        RuleField.From => "sender",
        RuleField.To => "recipient",
        RuleField.Subject => "subject",
        _ => "mailing list",
    };

    // One rule as ToSieve writes it; TryRead then checks that writing the rules read gives the script back.
    [GeneratedRegex("""\nif (?<kind>address|header) :(?<match>contains|is) (?<target>"from"|\["to", "cc"\]|"subject"|"list-id") (?<value>"(?:[^"\\]|\\.)*") \{\n    (?<action>[^\n]*)\n    stop;\n\}\n""")]
    private static partial Regex RulePattern();
}
