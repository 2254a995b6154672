using System.IO.Compression;
using System.Net;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace AdminConsole.Testing;

/// <summary>
/// Report mail as other mail systems send it to a domain's report addresses: a DMARC aggregate report
/// in Google's form (gzip'd XML: one source that authenticates, one that does not) and a TLS report as
/// RFC 8460 §4.5 shows it, both about <c>domain</c>; and something at the report address that is no report.
/// </summary>
public static class ReportMail
{
    public const long Passing = 12, Failing = 3;
    public const string GoodSource = "192.0.2.10", BadSource = "203.0.113.5";

    public static MimeMessage Aggregate(string domain, string organization = "google.com", string reportId = "5717107811868587391")
    {
        var begin = DateTimeOffset.UtcNow.Date.AddDays(-1);
        var (from, to) = (new DateTimeOffset(begin, TimeSpan.Zero).ToUnixTimeSeconds(), new DateTimeOffset(begin, TimeSpan.Zero).AddDays(1).ToUnixTimeSeconds() - 1);
        var xml = $"""
            <?xml version="1.0" encoding="UTF-8" ?>
            <feedback>
              <report_metadata><org_name>{organization}</org_name><email>noreply-dmarc-support@{organization}</email><report_id>{reportId}</report_id><date_range><begin>{from}</begin><end>{to}</end></date_range></report_metadata>
              <policy_published><domain>{domain}</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>
              <record><row><source_ip>{GoodSource}</source_ip><count>{Passing}</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
                <identifiers><header_from>{domain}</header_from></identifiers><auth_results><dkim><domain>{domain}</domain><result>pass</result></dkim><spf><domain>{domain}</domain><result>pass</result></spf></auth_results></record>
              <record><row><source_ip>{BadSource}</source_ip><count>{Failing}</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
                <identifiers><header_from>{domain}</header_from></identifiers><auth_results><spf><domain>spammer.example</domain><result>softfail</result></spf></auth_results></record>
            </feedback>
            """;
        return Mail(organization, $"dmarc-reports@{domain}", $"Report domain: {domain} Submitter: {organization} Report-ID: {reportId}", "application", "gzip",
            $"{organization}!{domain}!{from}!{to}.xml.gz", Gzip(Encoding.UTF8.GetBytes(xml)));
    }

    public static MimeMessage Tls(string domain)
    {
        var json = $$"""
            {"organization-name": "Company-X", "date-range": {"start-datetime": "{{DateTime.UtcNow.Date.AddDays(-1):yyyy-MM-dd}}T00:00:00Z", "end-datetime": "{{DateTime.UtcNow.Date.AddDays(-1):yyyy-MM-dd}}T23:59:59Z"},
             "contact-info": "sts-reporting@company-x.example", "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
             "policies": [{"policy": {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: testing"], "policy-domain": "{{domain}}"},
                           "summary": {"total-successful-session-count": 5326, "total-failure-session-count": 303},
                           "failure-details": [{"result-type": "certificate-expired", "failed-session-count": 100}, {"result-type": "starttls-not-supported", "failed-session-count": 203}]}]}
            """;
        return Mail("company-x.example", $"tls-reports@{domain}", $"Report Domain: {domain} Submitter: company-x.example Report-ID: <5065427c>", "application", "tlsrpt+gzip",
            $"company-x.example!{domain}!1!2.json.gz", Gzip(Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>A message at the report address that is not a report (a newsletter, a bounce).</summary>
    public static MimeMessage NotAReport(string domain)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("news@shop.example"));
        message.To.Add(MailboxAddress.Parse($"dmarc-reports@{domain}"));
        message.Subject = "Our offers";
        message.Body = new TextPart("plain") { Text = "Buy now.\r\n" };
        return message;
    }

    public static async Task SendAsync(IPEndPoint mx, MimeMessage message)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync(mx.Address.ToString(), mx.Port, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    private static MimeMessage Mail(string organization, string to, string subject, string type, string subtype, string fileName, byte[] content)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(organization, $"noreply-dmarc-support@{organization}"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "This is an aggregate report.\r\n" },
            new MimePart(type, subtype) { Content = new MimeContent(new MemoryStream(content)), FileName = fileName, ContentTransferEncoding = ContentEncoding.Base64 },
        };
        return message;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true)) gzip.Write(content);
        return buffer.ToArray();
    }
}
