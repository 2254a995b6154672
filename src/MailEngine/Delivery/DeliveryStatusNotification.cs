using System.Globalization;
using System.Text;
using MailEngine.Queue;
using MimeKit;

namespace MailEngine.Delivery;

/// <summary>Builds a non-delivery report (RFC 3464 inside an RFC 6522 multipart/report) for the sender.</summary>
public static class DeliveryStatusNotification
{
    public static byte[] Build(Envelope original, IReadOnlyList<(DeliveryTarget Target, DeliveryResult Result)> failures, Stream originalMessage, string hostName, DateTimeOffset now)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", $"MAILER-DAEMON@{hostName}"));
        message.To.Add(MailboxAddress.Parse(original.Sender));
        message.Subject = "Undelivered Mail Returned to Sender";
        message.Date = now;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(hostName);
        message.Headers.Add("Auto-Submitted", "auto-replied"); // RFC 3834 5

        var human = new StringBuilder()
            .Append("This is the mail system at ").Append(hostName).Append(".\r\n\r\n")
            .Append("Your message could not be delivered to one or more recipients.\r\n\r\n");
        foreach (var (target, result) in failures)
            human.Append('<').Append(target.OriginalRecipient).Append(">: ").Append(result.Detail).Append("\r\n");

        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList
        {
            { "Reporting-MTA", $"dns; {hostName}" },
            { "X-Queue-ID", original.QueueId },
            { "Arrival-Date", MimeKit.Utils.DateUtils.FormatDate(original.ReceivedAt) },
        };
        status.StatusGroups.Add(perMessage);
        foreach (var (target, result) in failures)
        {
            var group = new HeaderList
            {
                { "Final-Recipient", $"rfc822; {target.Address}" },
                { "Action", "failed" },
                { "Status", result.Status.StartsWith('5') ? result.Status : "5.0.0" },
                { "Diagnostic-Code", $"smtp; {result.Detail}" },
            };
            if (target.OriginalRecipient != target.Address) group.Add("Original-Recipient", $"rfc822; {target.OriginalRecipient}");
            status.StatusGroups.Add(group);
        }

        var headers = ReadHeaderBlock(originalMessage);
        var returned = new MimePart("text", "rfc822-headers") { Content = new MimeContent(new MemoryStream(headers)) };
        var report = new MultipartReport("delivery-status") { new TextPart("plain") { Text = human.ToString() }, status, returned };
        message.Body = report;

        using var output = new MemoryStream();
        message.WriteTo(FormatOptions.Default, output);
        return output.ToArray();
    }

    private static byte[] ReadHeaderBlock(Stream message)
    {
        message.Position = 0;
        using var reader = new StreamReader(message, Encoding.UTF8, leaveOpen: true);
        var builder = new StringBuilder();
        string? line;
        while ((line = reader.ReadLine()) is { Length: > 0 } && builder.Length < 64 * 1024) builder.Append(line).Append("\r\n");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

}
