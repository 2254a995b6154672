using System.Text;

namespace MailEngine.Smtp;

/// <summary>An SMTP reply: a code, an enhanced status code (RFC 3463, RFC 2034) and text, one or more lines.</summary>
public sealed record SmtpReply(int Code, string? Enhanced, params string[] Lines)
{
    public bool IsPositive => Code < 400;

    /// <summary>How much of a client's text a reply quotes back.</summary>
    public const int MaxQuotedLength = 64;

    /// <summary>
    /// Client input as a reply quotes it: at most <see cref="MaxQuotedLength"/> characters. Commands
    /// with control characters are refused before any reply could quote them.
    /// </summary>
    public static string Quote(string clientText) =>
        clientText.Length <= MaxQuotedLength ? clientText : clientText[..MaxQuotedLength] + "...";

    /// <summary>Whether a command line holds a control character (NUL, bare CR, ESC, DEL...): RFC 5321 4.1.1 has none in commands.</summary>
    public static bool HasControlCharacters(string line)
    {
        foreach (var c in line)
            if (c < 0x20 || c == 0x7f) return true;
        return false;
    }

    /// <summary>"250-first\r\n250 last\r\n": every line but the last has a hyphen after the code (RFC 5321 4.2.1).</summary>
    public byte[] ToBytes()
    {
        var builder = new StringBuilder();
        var lines = Lines.Length == 0 ? [""] : Lines;
        for (var i = 0; i < lines.Length; i++)
        {
            builder.Append(Code).Append(i == lines.Length - 1 ? ' ' : '-');
            if (Enhanced is not null) builder.Append(Enhanced).Append(' ');
            builder.Append(lines[i]).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    public override string ToString() => Encoding.UTF8.GetString(ToBytes()).TrimEnd();
}
