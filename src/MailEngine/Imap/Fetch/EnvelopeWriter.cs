using System.Text;
using MailEngine.Imap.Protocol;
using MailEngine.Imap.Store;
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
    public static void Write(ImapWriter writer, ReadOnlySpan<byte> message, MimeNode node)
    {
        var from = node.Header(message, "From");
        writer.Append('(');
        writer.NString(node.Header(message, "Date")).Append(' ');
        writer.NString(node.Header(message, "Subject")).Append(' ');
        Addresses(writer, from).Append(' ');
        Addresses(writer, node.Header(message, "Sender") ?? from).Append(' ');
        Addresses(writer, node.Header(message, "Reply-To") ?? from).Append(' ');
        Addresses(writer, node.Header(message, "To")).Append(' ');
        Addresses(writer, node.Header(message, "Cc")).Append(' ');
        Addresses(writer, node.Header(message, "Bcc")).Append(' ');
        writer.NString(node.Header(message, "In-Reply-To")).Append(' ');
        writer.NString(node.Header(message, "Message-ID"));
        writer.Append(')');
    }

    private static ImapWriter Addresses(ImapWriter writer, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || !InternetAddressList.TryParse(value, out var list) || list.Count == 0) return writer.Append("NIL");
        writer.Append('(');
        foreach (var address in list) Address(writer, address);
        return writer.Append(')');
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
