using System.Text;
using MimeKit;

namespace MailEngine.Delivery;

/// <summary>
/// The MDN a Sieve "reject" sends when the message was already accepted (RFC 5429 2.2.1): an RFC 8098
/// message/disposition-notification inside an RFC 6522 multipart/report, to the envelope sender, with
/// the disposition "automatic-action/MDN-sent-automatically; deleted", the human-readable reason, and
/// the original message's header section.
/// </summary>
public static class DispositionNotification
{
    public static byte[] BuildRejection(MimeMessage original, string envelopeSender, string finalRecipient, string reason, string hostName, DateTimeOffset now)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", $"MAILER-DAEMON@{hostName}"));
        message.To.Add(MailboxAddress.Parse(envelopeSender));
        message.Subject = "Rejected: " + (original.Subject ?? string.Empty);
        message.Date = now;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(hostName);
        if (original.MessageId is { } id) message.InReplyTo = id;
        message.Headers.Add("Auto-Submitted", "auto-replied"); // RFC 3834 5, RFC 5429 2.2.1

        var human = new TextPart("plain")
        {
            Text = $"Your message to {finalRecipient} was rejected by the recipient's filter:\r\n\r\n{reason}\r\n",
        };

        var notification = new MimeKit.MessageDispositionNotification();
        notification.Fields.Add("Reporting-UA", $"{hostName}; MailEngine");
        notification.Fields.Add("Final-Recipient", $"rfc822; {finalRecipient}");
        if (original.MessageId is { } originalId) notification.Fields.Add("Original-Message-ID", $"<{originalId}>");
        notification.Fields.Add("Disposition", "automatic-action/MDN-sent-automatically; deleted");

        using var headers = new MemoryStream();
        original.Headers.WriteTo(FormatOptions.Default, headers);
        var returned = new MimePart("text", "rfc822-headers") { Content = new MimeContent(new MemoryStream(headers.ToArray())) };

        message.Body = new MultipartReport("disposition-notification") { human, notification, returned };
        using var output = new MemoryStream();
        message.WriteTo(FormatOptions.Default, output);
        return output.ToArray();
    }
}
