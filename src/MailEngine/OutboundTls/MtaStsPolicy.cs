using System.Globalization;

namespace MailEngine.OutboundTls;

public enum MtaStsMode { None, Testing, Enforce }

/// <summary>
/// A domain's MTA-STS policy as fetched from https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt
/// (RFC 8461 §3.2): the mode, the MX patterns its mail exchangers must match, and how long it may be cached.
/// </summary>
public sealed record MtaStsPolicy(MtaStsMode Mode, IReadOnlyList<string> Mx, TimeSpan MaxAge, string Text)
{
    /// <summary>§3.2: max_age is at most 31557600 seconds (about a year).</summary>
    public static readonly TimeSpan LongestMaxAge = TimeSpan.FromSeconds(31_557_600);

    /// <summary>Reads a policy body; throws <see cref="FormatException"/> with the reason when it is not one.</summary>
    public static MtaStsPolicy Parse(string text)
    {
        string? version = null, mode = null, maxAge = null;
        var mx = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            var colon = line.IndexOf(':');
            if (colon <= 0) throw new FormatException($"the line \"{Shorten(line)}\" is not \"key: value\"");
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                // §3.2: the first occurrence of a key counts (mx may repeat); unknown keys are ignored.
                case "version": version ??= value; break;
                case "mode": mode ??= value; break;
                case "max_age": maxAge ??= value; break;
                case "mx": mx.Add(value.ToLowerInvariant().TrimEnd('.')); break;
            }
        }

        if (version != "STSv1") throw new FormatException(version is null ? "no \"version: STSv1\"" : $"version \"{Shorten(version)}\" is not STSv1");
        var parsedMode = mode switch
        {
            "enforce" => MtaStsMode.Enforce,
            "testing" => MtaStsMode.Testing,
            "none" => MtaStsMode.None,
            null => throw new FormatException("no mode"),
            _ => throw new FormatException($"mode \"{Shorten(mode)}\" is not enforce, testing or none"),
        };
        if (maxAge is null || maxAge.Length > 10 || !long.TryParse(maxAge, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            throw new FormatException(maxAge is null ? "no max_age" : $"max_age \"{Shorten(maxAge)}\" is not a number of seconds");
        if (parsedMode != MtaStsMode.None && mx.Count == 0) throw new FormatException("no mx line (required unless the mode is none)");
        return new MtaStsPolicy(parsedMode, mx, TimeSpan.FromSeconds(Math.Min(seconds, (long)LongestMaxAge.TotalSeconds)), text);
    }

    /// <summary>
    /// §4.1: an MX host matches a pattern exactly, or a "*." pattern by exactly one leftmost label
    /// ("*.example.com" matches "mx.example.com", not "example.com" nor "a.b.example.com").
    /// </summary>
    public bool Matches(string host)
    {
        host = host.ToLowerInvariant().TrimEnd('.');
        foreach (var pattern in Mx)
        {
            if (pattern.StartsWith("*.", StringComparison.Ordinal))
            {
                var dot = host.IndexOf('.');
                if (dot > 0 && host[(dot + 1)..] == pattern[2..]) return true;
            }
            else if (host == pattern) return true;
        }

        return false;
    }

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
