using MailEngine.Addressing;

namespace MailEngine.Smtp;

/// <summary>A parsed MAIL FROM or RCPT TO argument: the path and its ESMTP parameters (RFC 5321 4.1.2, 4.1.1.2).</summary>
public sealed record SmtpPath(EmailAddress? Address, IReadOnlyDictionary<string, string?> Parameters)
{
    public bool IsNull => Address is null;

    /// <summary>
    /// Parses "FROM:&lt;a@b&gt; SIZE=10" (or "TO:…"). A source route ("&lt;@x,@y:a@b&gt;") is accepted and
    /// ignored as RFC 5321 4.1.1.3 requires. Returns null with a reply on bad syntax.
    /// </summary>
    public static SmtpPath? TryParse(string argument, string keyword, bool allowNull, out SmtpReply? error)
    {
        error = null;
        if (!argument.StartsWith(keyword, StringComparison.OrdinalIgnoreCase) || argument.Length <= keyword.Length || argument[keyword.Length] != ':')
        {
            error = SmtpReplies.Syntax($"Syntax: {keyword}:<address>");
            return null;
        }

        var rest = argument[(keyword.Length + 1)..].TrimStart(' ');
        if (rest.Length == 0 || rest[0] != '<')
        {
            error = SmtpReplies.Syntax($"Syntax: {keyword}:<address> (angle brackets required)");
            return null;
        }

        var close = rest.IndexOf('>', StringComparison.Ordinal);
        if (close < 0)
        {
            error = SmtpReplies.Syntax("Missing '>' after the address");
            return null;
        }

        var path = rest[1..close];
        var colon = path.IndexOf(':', StringComparison.Ordinal);
        if (path.StartsWith('@') && colon > 0) path = path[(colon + 1)..];

        var parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var token in rest[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = token.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? token : token[..eq];
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                error = SmtpReplies.MalformedParameter(token);
                return null;
            }

            parameters[name] = eq < 0 ? null : token[(eq + 1)..];
        }

        if (path.Length == 0)
        {
            if (allowNull) return new SmtpPath(null, parameters);
            error = SmtpReplies.RecipientRequired;
            return null;
        }

        if (!EmailAddress.TryParse(path, out var address, out var reason))
        {
            error = SmtpReplies.BadAddress(reason);
            return null;
        }

        return new SmtpPath(address, parameters);
    }
}
