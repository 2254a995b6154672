namespace MailEngine.Store;

/// <summary>The system flags (RFC 3501 2.3.2) a Maildir file name carries after ":2," (D F R S T).</summary>
[Flags]
public enum MessageFlags : byte
{
    None = 0,
    Seen = 1,
    Answered = 2,
    Flagged = 4,
    Deleted = 8,
    Draft = 16,
}

public static class MessageFlagNames
{
    public static readonly (MessageFlags Flag, string Name, char Letter)[] All =
    [
        (MessageFlags.Answered, "\\Answered", 'R'),
        (MessageFlags.Flagged, "\\Flagged", 'F'),
        (MessageFlags.Deleted, "\\Deleted", 'T'),
        (MessageFlags.Seen, "\\Seen", 'S'),
        (MessageFlags.Draft, "\\Draft", 'D'),
    ];

    /// <summary>Flag names (IMAP STORE/APPEND, Sieve imap4flags) sorted out: system flags, $Forwarded (Maildir's P), keywords, and names that are neither.</summary>
    public sealed record Classified(MessageFlags System, bool Passed, List<string> Keywords, List<string> Invalid);

    public static Classified Classify(IEnumerable<string> names)
    {
        var system = MessageFlags.None;
        var passed = false;
        var keywords = new List<string>();
        var invalid = new List<string>();
        foreach (var name in names)
        {
            if (TryParseSystem(name, out var flag)) system |= flag;
            else if (name.Equals("$Forwarded", StringComparison.OrdinalIgnoreCase)) passed = true;
            // flag-keyword is an atom (RFC 3501 9): no controls, spaces or atom-specials; "\" starts only system flags.
            else if (name.Length == 0 || name.StartsWith('\\') || name.Any(c => c <= ' ' || c >= 0x7f || c is '(' or ')' or '{' or '%' or '*' or '"' or ']')) invalid.Add(name);
            else keywords.Add(name);
        }

        return new Classified(system, passed, keywords, invalid);
    }

    public static bool TryParseSystem(string name, out MessageFlags flag)
    {
        foreach (var (f, n, _) in All)
        {
            if (n.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                flag = f;
                return true;
            }
        }

        flag = MessageFlags.None;
        return false;
    }

    /// <summary>
    /// The info part of a Maildir name (":2," then flag letters in ASCII order, keywords as a..z in
    /// Dovecot's dovecot-keywords numbering), as the Maildir spec and Dovecot write it.
    /// </summary>
    public static string MaildirInfo(MessageFlags flags, uint keywords, bool passed)
    {
        Span<char> letters = stackalloc char[40];
        var n = 0;
        if (flags.HasFlag(MessageFlags.Draft)) letters[n++] = 'D';
        if (flags.HasFlag(MessageFlags.Flagged)) letters[n++] = 'F';
        if (passed) letters[n++] = 'P';
        if (flags.HasFlag(MessageFlags.Answered)) letters[n++] = 'R';
        if (flags.HasFlag(MessageFlags.Seen)) letters[n++] = 'S';
        if (flags.HasFlag(MessageFlags.Deleted)) letters[n++] = 'T';
        for (var k = 0; k < 26; k++)
            if ((keywords & (1u << k)) != 0) letters[n++] = (char)('a' + k);
        return ":2," + new string(letters[..n]);
    }

    /// <summary>Reads flags, keywords and the P (passed) flag from a Maildir file name's info part.</summary>
    public static (MessageFlags Flags, uint Keywords, bool Passed) FromMaildirName(string fileName)
    {
        var info = fileName.IndexOf(":2,", StringComparison.Ordinal);
        if (info < 0) return (MessageFlags.None, 0, false);
        var flags = MessageFlags.None;
        uint keywords = 0;
        var passed = false;
        foreach (var c in fileName.AsSpan(info + 3))
        {
            switch (c)
            {
                case 'D': flags |= MessageFlags.Draft; break;
                case 'F': flags |= MessageFlags.Flagged; break;
                case 'P': passed = true; break;
                case 'R': flags |= MessageFlags.Answered; break;
                case 'S': flags |= MessageFlags.Seen; break;
                case 'T': flags |= MessageFlags.Deleted; break;
                case >= 'a' and <= 'z': keywords |= 1u << (c - 'a'); break;
            }
        }

        return (flags, keywords, passed);
    }
}
