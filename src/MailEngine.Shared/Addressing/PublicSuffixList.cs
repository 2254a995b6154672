using System.Globalization;

namespace MailEngine.Addressing;

/// <summary>
/// The Public Suffix List (https://publicsuffix.org/list/): which names are registries ("com",
/// "co.uk", "*.ck") rather than somebody's domain. Used to find the organizational domain
/// (RFC 7489 §3.2: the registrable domain is one label below the public suffix) and to notice an
/// address under a top-level domain that does not exist, usually a typo ("example.tset").
/// Read from Debian's <c>publicsuffix</c> package, which security updates keep current.
/// The algorithm is the list's own: the matching rule with the most labels wins, an exception rule
/// (<c>!city.kobe.jp</c>) beats every other, and a name no rule matches falls under the implicit
/// rule <c>*</c>. Names are compared in their A-label form (the list is written in U-labels).
/// </summary>
public sealed class PublicSuffixList
{
    /// <summary>Where Debian's <c>publicsuffix</c> package installs the list.</summary>
    public const string DebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    private static readonly IdnMapping Idn = new() { AllowUnassigned = true };
    private static readonly Lazy<PublicSuffixList> Installed = new(() => Load(DebianPath));

    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    private PublicSuffixList(TextReader list)
    {
        while (list.ReadLine() is { } line)
        {
            // One rule per line, up to the first white space; "//" starts a comment (the list's format).
            var rule = line.Trim();
            var space = rule.IndexOfAny([' ', '\t']);
            if (space >= 0) rule = rule[..space];
            if (rule.Length == 0 || rule.StartsWith("//", StringComparison.Ordinal)) continue;
            if (rule.StartsWith('!')) _exceptions.Add(Ascii(rule[1..]));
            else if (rule.StartsWith("*.", StringComparison.Ordinal)) _wildcards.Add(Ascii(rule[2..]));
            else _rules.Add(Ascii(rule));
        }

        if (_rules.Count == 0) throw new InvalidDataException("The public suffix list has no rules.");
    }

    /// <summary>The list Debian installed (read once); a clear error when the package is missing.</summary>
    public static PublicSuffixList System => Installed.Value;

    public static PublicSuffixList Parse(string text)
    {
        using var reader = new StringReader(text);
        return new PublicSuffixList(reader);
    }

    public static PublicSuffixList Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The public suffix list is missing at {path}: install Debian's publicsuffix package.", path);
        using var reader = File.OpenText(path);
        return new PublicSuffixList(reader);
    }

    /// <summary>The public suffix of a domain: "co.uk" for "mail.example.co.uk", "tset" for "example.tset".</summary>
    public string PublicSuffix(string domain)
    {
        var labels = Labels(domain);
        return string.Join('.', labels[^SuffixLabels(labels)..]);
    }

    /// <summary>
    /// The registrable (organizational) domain: the public suffix and one label more, so
    /// "example.co.uk" for "mail.example.co.uk"; null when the name is itself a public suffix.
    /// </summary>
    public string? OrganizationalDomain(string domain)
    {
        var labels = Labels(domain);
        var suffix = SuffixLabels(labels);
        return labels.Length > suffix ? string.Join('.', labels[^(suffix + 1)..]) : null;
    }

    /// <summary>
    /// Whether the domain's top-level label is one the list names: false for "example.tset" or
    /// "host.lan", which no public resolver answers (they may still be a private network's names).
    /// </summary>
    public bool HasKnownTopLevel(string domain)
    {
        var top = Labels(domain)[^1];
        return _rules.Contains(top) || _wildcards.Contains(top) || _exceptions.Contains(top);
    }

    /// <summary>How many labels, counted from the right, the prevailing rule makes the public suffix.</summary>
    private int SuffixLabels(string[] labels)
    {
        var best = 1; // the implicit "*" rule
        for (var n = 1; n <= labels.Length; n++)
        {
            var name = string.Join('.', labels[^n..]);
            // An exception rule's public suffix is the rule without its leftmost label.
            if (_exceptions.Contains(name)) return n - 1;
            if (_rules.Contains(name)) best = Math.Max(best, n);
            if (n < labels.Length && _wildcards.Contains(name)) best = Math.Max(best, n + 1);
        }

        return best;
    }

    private static string[] Labels(string domain)
    {
        var labels = Ascii(domain.Trim().TrimEnd('.')).Split('.');
        if (labels.Any(l => l.Length == 0)) throw new ArgumentException($"'{domain}' is not a domain name.", nameof(domain));
        return labels;
    }

    private static string Ascii(string name)
    {
        if (name.All(char.IsAscii)) return name.ToLowerInvariant();
        try
        {
            return Idn.GetAscii(name).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return name.ToLowerInvariant();
        }
    }
}
