namespace MailEngine.Imap.Protocol;

/// <summary>
/// A command the server cannot accept as written: the session answers it with a tagged BAD (syntax)
/// or NO (refused), optionally with a response code (RFC 5530), and goes on.
/// </summary>
public sealed class ImapCommandException(string message, bool bad = true, string? code = null) : Exception(message)
{
    public bool Bad { get; } = bad;
    public string? Code { get; } = code;

    /// <summary>The longest response text sent back: error messages quote client input, never all of it.</summary>
    public const int MaxResponseText = 200;

    public static ImapCommandException Syntax(string message) => new(message);

    /// <summary>
    /// The message as response text (RFC 3501 9 resp-text: TEXT-CHAR, no CR, LF or other controls),
    /// cut to <see cref="MaxResponseText"/>: a literal quoted in an error must not end the line and
    /// start a forged response, nor be sent back at its full size.
    /// </summary>
    public static string ResponseText(string message)
    {
        var length = Math.Min(message.Length, MaxResponseText);
        return string.Create(length + (message.Length > MaxResponseText ? 3 : 0), message, static (span, m) =>
        {
            var n = Math.Min(m.Length, MaxResponseText);
            for (var i = 0; i < n; i++) span[i] = m[i] < 0x20 || m[i] == 0x7f ? '?' : m[i];
            if (span.Length > n) "...".CopyTo(span[n..]);
        });
    }
    public static ImapCommandException Refused(string message, string? code = null) => new(message, bad: false, code);
}
