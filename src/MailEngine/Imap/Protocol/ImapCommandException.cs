namespace MailEngine.Imap.Protocol;

/// <summary>
/// A command the server cannot accept as written: the session answers it with a tagged BAD (syntax)
/// or NO (refused), optionally with a response code (RFC 5530), and goes on.
/// </summary>
public sealed class ImapCommandException(string message, bool bad = true, string? code = null) : Exception(message)
{
    public bool Bad { get; } = bad;
    public string? Code { get; } = code;

    public static ImapCommandException Syntax(string message) => new(message);
    public static ImapCommandException Refused(string message, string? code = null) => new(message, bad: false, code);
}
