using System.Globalization;

namespace MailEngine.Auth.Spf;

/// <summary>One directive of a record: qualifier, mechanism name, its domain-spec or network, and prefix lengths.</summary>
/// <param name="Argument">The domain-spec (a, mx, ptr, include, exists) or the address (ip4, ip6); null when left out.</param>
public sealed record SpfDirective(char Qualifier, string Name, string? Argument, int? Cidr4, int? Cidr6, string Text);

/// <summary>
/// An SPF record parsed (RFC 7208 §4.6, §12 ABNF): its directives in order, and the redirect and
/// exp modifiers. Unknown modifiers are ignored (§6); an unknown mechanism, a repeated redirect or
/// exp, or a syntax error makes the record unusable (<see cref="Error"/>: check_host() says permerror).
/// </summary>
public sealed class SpfRecord
{
    private static readonly HashSet<string> Mechanisms = ["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"];

    public IReadOnlyList<SpfDirective> Directives { get; }
    public string? Redirect { get; }
    public string? Explanation { get; }
    public string? Error { get; }

    private SpfRecord(List<SpfDirective> directives, string? redirect, string? explanation, string? error) =>
        (Directives, Redirect, Explanation, Error) = (directives, redirect, explanation, error);

    /// <summary>Whether a TXT record is an SPF record: "v=spf1" alone or followed by a space (§4.5).</summary>
    public static bool IsSpf(string txt) =>
        txt.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (txt.Length == 6 || txt[6] == ' ');

    public static SpfRecord Parse(string txt)
    {
        var directives = new List<SpfDirective>();
        string? redirect = null, explanation = null;
        SpfRecord Fail(string why) => new(directives, redirect, explanation, why);

        foreach (var term in txt[6..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = term.IndexOf('=');
            var colon = term.IndexOfAny([':', '/']);
            if (eq > 0 && (colon < 0 || eq < colon))
            {
                // A modifier: name "=" macro-string; the name is ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
                var name = term[..eq].ToLowerInvariant();
                if (!char.IsAsciiLetter(name[0]) || name.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))) return Fail($"'{term}' is not a modifier");
                var value = term[(eq + 1)..];
                if (name == "redirect")
                {
                    if (redirect is not null) return Fail("two redirect modifiers (RFC 7208 §6)");
                    if (value.Length == 0) return Fail("redirect= needs a domain");
                    redirect = value;
                }
                else if (name == "exp")
                {
                    if (explanation is not null) return Fail("two exp modifiers (RFC 7208 §6)");
                    if (value.Length == 0) return Fail("exp= needs a domain");
                    explanation = value;
                }

                continue;
            }

            var qualifier = term[0] is '+' or '-' or '~' or '?' ? term[0] : '+';
            var body = term[0] is '+' or '-' or '~' or '?' ? term[1..] : term;
            var nameEnd = body.IndexOfAny([':', '/']);
            var mechanism = (nameEnd < 0 ? body : body[..nameEnd]).ToLowerInvariant();
            if (!Mechanisms.Contains(mechanism)) return Fail($"'{term}': unknown mechanism");
            var rest = nameEnd < 0 ? "" : body[nameEnd..];
            string? argument = null;
            int? cidr4 = null, cidr6 = null;

            if (mechanism is "ip4" or "ip6")
            {
                if (!rest.StartsWith(':') || rest.Length == 1) return Fail($"'{term}' needs an address");
                var slash = rest.IndexOf('/');
                argument = slash < 0 ? rest[1..] : rest[1..slash];
                if (slash >= 0)
                {
                    if (!TryPrefix(rest[(slash + 1)..], mechanism == "ip4" ? 32 : 128, out var length)) return Fail($"'{term}': bad prefix length");
                    if (mechanism == "ip4") cidr4 = length; else cidr6 = length;
                }

                var family = mechanism == "ip4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
                if (!System.Net.IPAddress.TryParse(argument, out var address) || address.AddressFamily != family || (mechanism == "ip4" && argument.Count(ch => ch == '.') != 3))
                    return Fail($"'{term}': not an {(mechanism == "ip4" ? "IPv4" : "IPv6")} address");
            }
            else if (mechanism == "all")
            {
                if (rest.Length > 0) return Fail($"'{term}': all takes no argument");
            }
            else
            {
                // a, mx: [":" domain-spec] [dual-cidr-length]; ptr, include, exists: [":" domain-spec] only.
                var cidrStart = mechanism is "a" or "mx" ? rest.IndexOf('/') : -1;
                var spec = cidrStart < 0 ? rest : rest[..cidrStart];
                if (spec.Length > 0)
                {
                    if (!spec.StartsWith(':') || spec.Length == 1) return Fail($"'{term}': bad domain-spec");
                    argument = spec[1..];
                }

                if (mechanism is "include" or "exists" && argument is null) return Fail($"'{term}' needs a domain");
                if (cidrStart >= 0)
                {
                    // "/24", "//64" or "/24//64" (§5.6).
                    var cidr = rest[cidrStart..];
                    var six = cidr.IndexOf("//", StringComparison.Ordinal);
                    var four = six < 0 ? cidr : cidr[..six];
                    if (four.Length > 0)
                    {
                        if (!TryPrefix(four[1..], 32, out var length)) return Fail($"'{term}': bad IPv4 prefix length");
                        cidr4 = length;
                    }

                    if (six >= 0)
                    {
                        if (!TryPrefix(cidr[(six + 2)..], 128, out var length)) return Fail($"'{term}': bad IPv6 prefix length");
                        cidr6 = length;
                    }
                }
                else if (rest.Contains('/')) return Fail($"'{term}': {mechanism} takes no prefix length");
            }

            if (mechanism is not ("ip4" or "ip6") && argument is not null && !ValidDomainSpec(argument)) return Fail($"'{term}': bad domain-spec");
            directives.Add(new SpfDirective(qualifier, mechanism, argument, cidr4, cidr6, term));
        }

        if (redirect is not null && !ValidDomainSpec(redirect)) return Fail($"redirect={redirect}: bad domain-spec");
        return new SpfRecord(directives, redirect, explanation, null);
    }

    private static bool TryPrefix(string text, int max, out int length) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out length) && length <= max && (text.Length == 1 || text[0] != '0');

    /// <summary>
    /// A domain-spec is a macro-string whose end is a domain (§7.1: "." toplabel, or a macro); its
    /// macros are checked when they are expanded.
    /// </summary>
    private static bool ValidDomainSpec(string spec)
    {
        if (spec.EndsWith('}')) return true;
        var trimmed = spec.TrimEnd('.');
        var top = trimmed[(trimmed.LastIndexOf('.') + 1)..];
        // toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
        return top.Length > 0 && top.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-') && top.Any(char.IsAsciiLetter) && top[0] != '-' && top[^1] != '-';
    }
}
