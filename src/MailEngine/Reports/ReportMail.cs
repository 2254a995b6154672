using MimeKit;

namespace MailEngine.Reports;

/// <summary>
/// The mail a report we send travels in (DMARC aggregate, RFC 7489 §7.2.1.1; SMTP TLS, RFC 8460 §5.3):
/// from our report address, the subject "Report Domain: … Submitter: … Report-ID: &lt;…&gt;", a line
/// for people, and the gzip'd report attached; CRLF bytes, as the queue takes them.
/// </summary>
public static class ReportMail
{
    /// <param name="container">The multipart the text and the report go in (multipart/mixed, or multipart/report for TLS-RPT).</param>
    /// <param name="attachmentSubtype">The report's media subtype under application/ ("gzip", "tlsrpt+gzip").</param>
    public static byte[] Compose(string organization, string reportAddress, string recipient, string policyDomain, string reportId,
        string text, Multipart container, string attachmentSubtype, byte[] gzipped, string fileName, DateTimeOffset date, string hostName,
        params (string Field, string Value)[] headers)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(organization, reportAddress));
        message.To.Add(new MailboxAddress("", recipient));
        message.Subject = $"Report Domain: {policyDomain} Submitter: {organization} Report-ID: <{reportId}>";
        foreach (var (field, value) in headers) message.Headers.Add(field, value);
        message.Date = date;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(hostName);
        container.Add(new TextPart("plain") { Text = text });
        container.Add(new MimePart("application", attachmentSubtype)
        {
            Content = new MimeContent(new MemoryStream(gzipped)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = fileName,
        });
        message.Body = container;
        using var buffer = new MemoryStream();
        message.WriteTo(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, buffer);
        return buffer.ToArray();
    }
}
