using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailEngine.Auth.Spf;

/// <summary>The values macros expand to (RFC 7208 §7.2), for one check_host() call.</summary>
/// <param name="Sender">The whole sender, "postmaster@helo" when MAIL FROM was empty (§4.3).</param>
/// <param name="Domain">The domain being checked now (%{d}); changes with include and redirect.</param>
/// <param name="ValidatedName">%{p}: filled in by the evaluator when a macro asks for it.</param>
public sealed record SpfMacroContext(IPAddress Ip, string Sender, string Domain, string Helo, string? ValidatedName = null, string ReceivingDomain = "unknown", DateTimeOffset? Now = null);

/// <summary>
/// Macro expansion (RFC 7208 §7): %{letter[digits][r][delimiters]}, %% %_ %-; upper-case letters
/// URL-escape the value (§7.3); c, r and t only in explanations. Returns null for a syntax error,
/// which makes the record a permerror.
/// </summary>
public static class SpfMacro
{
    private const string Delimiters = ".-+,/_=";

    /// <summary>Whether the text asks for %{p} (which costs a reverse lookup).</summary>
    public static bool NeedsValidatedName(string text) => text.Contains("%{p", StringComparison.OrdinalIgnoreCase);

    public static string? Expand(string text, SpfMacroContext context, bool explanation = false)
    {
        var output = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                // §7.1: macro-literal is printable ASCII except '%'; a space only in an explanation.
                if (c is < '!' or > '~' && !(explanation && c == ' ')) return null;
                output.Append(c);
                continue;
            }

            if (++i >= text.Length) return null;
            switch (text[i])
            {
                case '%': output.Append('%'); continue;
                case '_': output.Append(' '); continue;
                case '-': output.Append("%20"); continue;
                case '{': break;
                default: return null;
            }

            var end = text.IndexOf('}', i);
            if (end < 0) return null;
            var macro = text[(i + 1)..end];
            i = end;
            if (Expand1(macro, context, explanation) is not { } value) return null;
            output.Append(value);
        }

        return output.ToString();
    }

    private static string? Expand1(string macro, SpfMacroContext context, bool explanation)
    {
        if (macro.Length == 0) return null;
        var letter = macro[0];
        var escape = char.IsUpper(letter);
        string? value = char.ToLowerInvariant(letter) switch
        {
            's' => context.Sender,
            'l' => LocalPart(context.Sender),
            'o' => DomainPart(context.Sender),
            'd' => context.Domain,
            'i' => Dotted(context.Ip),
            'p' => context.ValidatedName ?? "unknown",
            'v' => context.Ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
            'h' => context.Helo,
            'c' when explanation => context.Ip.ToString(),
            'r' when explanation => context.ReceivingDomain,
            't' when explanation => (context.Now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        if (value is null) return null;

        // Transformers: an optional number of parts to keep (from the right), 'r' to reverse, then delimiters.
        var j = 1;
        var digits = 0;
        var hasDigits = false;
        while (j < macro.Length && char.IsAsciiDigit(macro[j]))
        {
            digits = digits * 10 + (macro[j] - '0');
            if (digits > 128) digits = 128; // §7.3: more parts than there are is all of them
            hasDigits = true;
            j++;
        }

        if (hasDigits && digits == 0) return null; // §7.1: zero is not allowed
        var reverse = false;
        if (j < macro.Length && macro[j] is 'r' or 'R')
        {
            reverse = true;
            j++;
        }

        var delimiters = macro[j..];
        if (delimiters.Any(d => !Delimiters.Contains(d))) return null;
        if (hasDigits || reverse || delimiters.Length > 0)
        {
            var parts = value.Split(delimiters.Length == 0 ? ['.'] : delimiters.ToCharArray());
            if (reverse) Array.Reverse(parts);
            if (hasDigits && digits < parts.Length) parts = parts[^digits..];
            value = string.Join('.', parts);
        }

        return escape ? Uri.EscapeDataString(value) : value;
    }

    /// <summary>%{i}: dotted quad, or an IPv6 address as 32 dot-separated nibbles (§7.3).</summary>
    private static string Dotted(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetworkV6 ? string.Join('.', Nibbles(ip)) : ip.ToString();

    /// <summary>An IPv6 address's 32 hex digits, most significant first (%{i}; reversed, the ip6.arpa name).</summary>
    internal static IEnumerable<char> Nibbles(IPAddress ip) => ip.GetAddressBytes().SelectMany(b => new[] { "0123456789abcdef"[b >> 4], "0123456789abcdef"[b & 15] });

    private static string LocalPart(string sender) => sender.LastIndexOf('@') is > 0 and var at ? sender[..at] : "postmaster";

    private static string DomainPart(string sender) => sender[(sender.LastIndexOf('@') + 1)..];
}
