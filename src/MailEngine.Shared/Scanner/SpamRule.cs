using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace MailEngine.Scanner;

/// <summary>
/// One rule: a pattern over one part of the message, and the score it adds when it matches.
/// Targets: <c>header:Name</c> (the decoded values of every header of that name, one per line),
/// <c>headers</c> (every header as "Name: decoded value", one per line), <c>body</c> (the decoded
/// text of the text parts, HTML reduced to text), <c>rawbody</c> (the body as sent, undecoded),
/// <c>uri</c> (every URI in the text and the HTML links, one per line), <c>facts</c> (what the
/// analysis found about the structure: "no-message-id", "html-only", … one per line).
/// </summary>
public sealed record SpamRule(string Name, string Target, string Pattern, string Flags, double Score, string Description, string Source = "")
{
    public ScanPattern ToPattern(uint id) => new(id, Pattern, Caseless: Flags.Contains('i'), Multiline: Flags.Contains('m'), DotAll: Flags.Contains('s'));
}

/// <summary>
/// The rule file format, one rule per line, as SpamAssassin writes patterns:
/// <code>
/// # comment
/// NAME  TARGET  SCORE  /pattern/flags  What it means, for the Rules page
/// </code>
/// A "/" inside the pattern is written "\/". Flags: i (any case), m (^ and $ at each line), s (the dot
/// matches newlines). Errors name the file and line.
/// </summary>
public static partial class RuleFile
{
    /// <summary>The GTUBE test rule's name: its message must always be refused, so no domain may change it.</summary>
    public const string Gtube = "GTUBE";

    public static readonly string[] FixedTargets = ["headers", "body", "rawbody", "uri", "facts"];

    [GeneratedRegex(@"^[A-Z][A-Z0-9_]{1,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^header:[A-Za-z0-9-]{1,76}$")]
    private static partial Regex HeaderTarget();

    public static bool IsValidTarget(string target) => FixedTargets.Contains(target) || HeaderTarget().IsMatch(target);

    /// <summary>The rules we ship (src/MailEngine/Scanner/Rules/*.rules, embedded).</summary>
    public static IReadOnlyList<SpamRule> Defaults { get; } = LoadDefaults();

    private static List<SpamRule> LoadDefaults()
    {
        var assembly = typeof(RuleFile).Assembly;
        var rules = new List<SpamRule>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".rules", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            rules.AddRange(Parse(reader.ReadToEnd(), name.Replace("MailEngine.Scanner.Rules.", string.Empty, StringComparison.Ordinal)));
        }

        Unique(rules);
        return rules;
    }

    /// <summary>Rules from several files: the defaults, then files in a folder, later names replacing earlier ones.</summary>
    public static IReadOnlyList<SpamRule> Load(string? directory)
    {
        if (directory is null || !Directory.Exists(directory)) return Defaults;
        var byName = Defaults.ToDictionary(r => r.Name, StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "*.rules").Order(StringComparer.Ordinal))
            foreach (var rule in Parse(File.ReadAllText(file), Path.GetFileName(file)))
                byName[rule.Name] = rule;
        return [.. byName.Values];
    }

    public static void Unique(IEnumerable<SpamRule> rules)
    {
        var seen = new Dictionary<string, SpamRule>(StringComparer.Ordinal);
        foreach (var rule in rules)
            if (!seen.TryAdd(rule.Name, rule)) throw new FormatException($"{rule.Source}: rule {rule.Name} is defined twice (first in {seen[rule.Name].Source})");
    }

    public static List<SpamRule> Parse(string text, string source)
    {
        var rules = new List<SpamRule>();
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var where = $"{source}:{n + 1}";
            rules.Add(ParseLine(line, where));
        }

        return rules;
    }

    private static SpamRule ParseLine(string line, string where)
    {
        var parts = line.Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4) throw new FormatException($"{where}: expected NAME TARGET SCORE /pattern/flags description");
        var (name, target, scoreText, rest) = (parts[0], parts[1], parts[2], parts[3]);
        if (!NamePattern().IsMatch(name)) throw new FormatException($"{where}: rule name '{name}' must be capitals, digits and '_' (2-64)");
        if (!IsValidTarget(target)) throw new FormatException($"{where}: target '{target}' must be header:Name, {string.Join(", ", FixedTargets)}");
        if (!double.TryParse(scoreText, NumberStyles.Float, CultureInfo.InvariantCulture, out var score) || Math.Abs(score) > 1000)
            throw new FormatException($"{where}: score '{scoreText}' is not a number between -1000 and 1000");
        if (rest[0] != '/') throw new FormatException($"{where}: the pattern must be written /pattern/flags");
        var end = 1;
        while (end < rest.Length && rest[end] != '/') end += rest[end] == '\\' ? 2 : 1;
        if (end >= rest.Length) throw new FormatException($"{where}: the pattern has no closing '/' (write a slash inside it as \\/)");
        var pattern = rest[1..end];
        var flagsEnd = end + 1;
        while (flagsEnd < rest.Length && !char.IsWhiteSpace(rest[flagsEnd])) flagsEnd++;
        var flags = rest[(end + 1)..flagsEnd];
        if (flags.Any(f => f is not ('i' or 'm' or 's'))) throw new FormatException($"{where}: unknown flag in '{flags}' (i, m, s)");
        var description = rest[flagsEnd..].Trim();
        if (pattern.Length == 0) throw new FormatException($"{where}: the pattern is empty");
        if (description.Length == 0) throw new FormatException($"{where}: the rule needs a description");
        var rule = new SpamRule(name, target, pattern, flags, score, description, where);
        Regex parsed;
        try
        {
            // Parsed only (the interpreter's construction is cheap): building the NonBacktracking
            // automaton of every rule here took about two seconds at every start, before the
            // listeners opened. The scanner builds the matchers it uses in the background.
            parsed = new Regex(ManagedPatternMatcher.Translate(pattern), rule.ToPattern(0).Options);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{where}: the pattern does not compile: {e.Message}");
        }

        if (parsed.IsMatch(string.Empty)) throw new FormatException($"{where}: the pattern matches empty text, so it would match every message");
        return rule;
    }
}
