using System.Text;
using MailEngine.Store;
using MailEngine.Imap.Protocol;
using MimeKit;
using MimeKit.Utils;

namespace MailEngine.Imap.Fetch;

/// <summary>
/// ENVELOPE (RFC 3501 7.4.2): date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to and
/// message-id of a message's header. Sender and Reply-To default to From. Strings are the header's
/// own (still RFC 2047 encoded) text; display names MimeKit had to decode are encoded again.
/// </summary>
public static class EnvelopeWriter
{
    private static readonly string[] Names = ["Date", "Subject", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "In-Reply-To", "Message-ID"];

    public static void Write(ImapWriter writer, ReadOnlySpan<byte> message, MimeNode node)
    {
        // One pass over the fields for the ten the envelope needs (the first of each name counts).
        var values = new string?[Names.Length];
        foreach (var field in node.Fields)
        {
            var index = Array.FindIndex(Names, n => n.Equals(field.Name, StringComparison.OrdinalIgnoreCase));
            if (index >= 0 && values[index] is null) values[index] = MimeNode.Value(message, field);
        }

        writer.Append('(');
        writer.NString(values[0]).Append(' ');
        writer.NString(values[1]).Append(' ');
        Addresses(writer, values[2]).Append(' ');
        Addresses(writer, values[3] ?? values[2]).Append(' ');
        Addresses(writer, values[4] ?? values[2]).Append(' ');
        Addresses(writer, values[5]).Append(' ');
        Addresses(writer, values[6]).Append(' ');
        Addresses(writer, values[7]).Append(' ');
        writer.NString(values[8]).Append(' ');
        writer.NString(values[9]);
        writer.Append(')');
    }

    private static ImapWriter Addresses(ImapWriter writer, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return writer.Append("NIL");
        if (TrySimple(value, out var name, out var local, out var domain))
        {
            // The common case, "Name <a@b>" or "a@b", without MimeKit's full RFC 5322 parser.
            writer.Append("((").NString(name).Append(" NIL ").String(local).Append(' ').String(domain).Append("))");
            return writer;
        }

        if (!InternetAddressList.TryParse(value, out var list) || list.Count == 0) return writer.Append("NIL");
        writer.Append('(');
        foreach (var address in list) Address(writer, address);
        return writer.Append(')');
    }

    /// <summary>
    /// One mailbox written plainly: ASCII, no comments, groups, lists, encoded words or quoted
    /// pairs. Anything else goes to MimeKit.
    /// </summary>
    internal static bool TrySimple(string value, out string? name, out string local, out string domain)
    {
        name = null;
        local = domain = string.Empty;
        foreach (var c in value)
            if (c >= 0x80 || c is ',' or ';' or '(' or ')' or ':' or '\\' or '[' or '\r' or '\n') return false;
        if (value.Contains("=?", StringComparison.Ordinal)) return false;
        var text = value.Trim();
        string address;
        var open = text.IndexOf('<');
        if (open < 0)
        {
            address = text;
        }
        else
        {
            if (text[^1] != '>' || text.IndexOf('<', open + 1) >= 0 || text.IndexOf('>') != text.Length - 1) return false;
            address = text[(open + 1)..^1].Trim();
            var phrase = text[..open].Trim();
            if (phrase.Length > 0)
            {
                if (phrase[0] == '"')
                {
                    if (phrase.Length < 2 || phrase[^1] != '"' || phrase.IndexOf('"', 1) != phrase.Length - 1) return false;
                    phrase = phrase[1..^1];
                }
                else if (phrase.Contains('"'))
                {
                    return false;
                }

                name = phrase.Length == 0 ? null : phrase;
            }
        }

        var at = address.IndexOf('@');
        if (at <= 0 || at != address.LastIndexOf('@') || at == address.Length - 1) return false;
        foreach (var c in address)
            if (c is ' ' or '\t' or '"' or '<' or '>') return false;
        local = address[..at];
        domain = address[(at + 1)..];
        return true;
    }

    private static void Address(ImapWriter writer, InternetAddress address)
    {
        switch (address)
        {
            case MailboxAddress mailbox:
                var at = mailbox.Address.LastIndexOf('@');
                writer.Append('(').NString(Phrase(mailbox.Name)).Append(" NIL ");
                writer.NString(at < 0 ? mailbox.Address : mailbox.Address[..at]).Append(' ');
                // RFC 3501: a host of NIL with a mailbox name marks the start of a group; a missing domain is "".
                writer.String(at < 0 ? string.Empty : mailbox.Address[(at + 1)..]).Append(')');
                break;
            case GroupAddress group:
                writer.Append("(NIL NIL ").NString(Phrase(group.Name) ?? string.Empty).Append(" NIL)");
                foreach (var member in group.Members) Address(writer, member);
                writer.Append("(NIL NIL NIL NIL)");
                break;
        }
    }

    private static string? Phrase(string? name)
    {
        if (string.IsNullOrEmpty(name)) return null;
        foreach (var c in name)
            if (c >= 0x80) return Encoding.ASCII.GetString(Rfc2047.EncodePhrase(Encoding.UTF8, name));
        return name;
    }

    /// <summary>The Date header as a point in time, for SENTBEFORE/SENTON/SENTSINCE.</summary>
    public static DateTimeOffset? SentDate(ReadOnlySpan<byte> message, MimeNode node) =>
        node.Header(message, "Date") is { } date && DateUtils.TryParse(date, out var parsed) ? parsed : null;
}
