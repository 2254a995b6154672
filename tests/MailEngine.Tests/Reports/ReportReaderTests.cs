using System.IO.Compression;
using System.Text;
using MailEngine.Contracts;
using MailEngine.Reports;
using MimeKit;

namespace MailEngine.Tests.Reports;

/// <summary>
/// Reports in (issue #16 item 8): aggregate reports in the forms the large receivers send (Google's
/// gzip, Microsoft's zip with schema attributes, Yahoo's plain XML; DMARCbis's namespace) and a TLS
/// report (RFC 8460 §4) are read with the right counts; a zip bomb, a gzip bomb, XML with a DTD (entity
/// expansion), something that is not XML, and a TLS report that is not one are refused with a reason.
/// </summary>
public sealed class ReportReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    // The shape of a report from google.com (their documentation's sample, with our domain and addresses).
    private const string Google = """
        <?xml version="1.0" encoding="UTF-8" ?>
        <feedback>
          <report_metadata>
            <org_name>google.com</org_name>
            <email>noreply-dmarc-support@google.com</email>
            <extra_contact_info>https://support.google.com/a/answer/2466580</extra_contact_info>
            <report_id>5717107811868587391</report_id>
            <date_range><begin>1764633600</begin><end>1764719999</end></date_range>
          </report_metadata>
          <policy_published><domain>example.test</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct><np>none</np></policy_published>
          <record>
            <row><source_ip>192.0.2.10</source_ip><count>12</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row>
            <identifiers><header_from>example.test</header_from></identifiers>
            <auth_results><dkim><domain>example.test</domain><result>pass</result><selector>r1</selector></dkim><spf><domain>example.test</domain><result>pass</result></spf></auth_results>
          </record>
          <record>
            <row><source_ip>203.0.113.5</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
            <identifiers><header_from>example.test</header_from></identifiers>
            <auth_results><spf><domain>spammer.example</domain><result>softfail</result></spf></auth_results>
          </record>
        </feedback>
        """;

    // Microsoft (outlook.com) writes schema attributes and a version, and zips the file.
    private const string Microsoft = """
        <?xml version="1.0"?>
        <feedback xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <version>1.0</version>
          <report_metadata><org_name>Enterprise Outlook</org_name><email>dmarcreport@microsoft.com</email><report_id>d6f7c5ab2a8e4f2bb1f5e1b4a1c2d3e4</report_id><date_range><begin>1764633600</begin><end>1764720000</end></date_range></report_metadata>
          <policy_published><domain>example.test</domain><adkim>r</adkim><aspf>r</aspf><p>quarantine</p><sp>quarantine</sp><pct>100</pct><fo>0</fo></policy_published>
          <record><row><source_ip>2001:db8::25</source_ip><count>7</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
            <identifiers><envelope_to>outlook.com</envelope_to><envelope_from>list.example</envelope_from><header_from>example.test</header_from></identifiers>
            <auth_results><dkim><domain>example.test</domain><selector>r1</selector><result>pass</result></dkim><spf><domain>list.example</domain><scope>mfrom</scope><result>pass</result></spf></auth_results></record>
        </feedback>
        """;

    // DMARCbis (draft-ietf-dmarc-aggregate-reporting): the same elements in a namespace.
    private const string Bis = """
        <?xml version="1.0" encoding="UTF-8"?>
        <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
          <version>1.0</version>
          <report_metadata><org_name>Yahoo</org_name><email>dmarchelp@yahooinc.com</email><report_id>1764700000.123456</report_id><date_range><begin>1764633600</begin><end>1764719999</end></date_range></report_metadata>
          <policy_published><domain>example.test</domain><p>reject</p><sp>reject</sp></policy_published>
          <record><row><source_ip>198.51.100.7</source_ip><count>1</count><policy_evaluated><disposition>reject</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
            <identifiers><header_from>example.test</header_from></identifiers><auth_results><spf><domain>example.test</domain><result>fail</result></spf></auth_results></record>
        </feedback>
        """;

    // RFC 8460 §4.5's example, with our domain.
    private const string TlsRpt = """
        {
          "organization-name": "Company-X",
          "date-range": { "start-datetime": "2026-12-01T00:00:00Z", "end-datetime": "2026-12-01T23:59:59Z" },
          "contact-info": "sts-reporting@company-x.example",
          "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
          "policies": [{
            "policy": { "policy-type": "sts", "policy-string": ["version: STSv1", "mode: testing", "mx: *.mail.example.test", "max_age: 86400"], "policy-domain": "example.test", "mx-host": ["*.mail.example.test"] },
            "summary": { "total-successful-session-count": 5326, "total-failure-session-count": 303 },
            "failure-details": [
              { "result-type": "certificate-expired", "sending-mta-ip": "2001:db8:abcd:0012::1", "receiving-mx-hostname": "mx1.mail.example.test", "failed-session-count": 100 },
              { "result-type": "starttls-not-supported", "sending-mta-ip": "2001:db8:abcd:0013::1", "receiving-mx-hostname": "mx2.mail.example.test", "receiving-ip": "203.0.113.56", "failed-session-count": 200, "additional-information": "https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported" },
              { "result-type": "validation-failure", "sending-mta-ip": "198.51.100.62", "receiving-ip": "203.0.113.58", "receiving-mx-hostname": "mx-backup.mail.example.test", "failed-session-count": 3, "failure-reason-code": "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED" }
            ]
          }]
        }
        """;

    private static MimeMessage Mail(string mediaType, string fileName, byte[] content)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("noreply@reporter.example"));
        message.To.Add(MailboxAddress.Parse("dmarc-reports@example.test"));
        message.Subject = "Report Domain: example.test";
        var types = mediaType.Split('/');
        message.Body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "A report.\r\n" },
            new MimePart(types[0], types[1]) { Content = new MimeContent(new MemoryStream(content)), FileName = fileName, ContentTransferEncoding = ContentEncoding.Base64 },
        };
        return message;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true)) gzip.Write(content);
        return buffer.ToArray();
    }

    private static byte[] Zip(string name, byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        using (var entry = archive.CreateEntry(name, CompressionLevel.SmallestSize).Open()) entry.Write(content);
        return buffer.ToArray();
    }

    private static ReceivedReport Read(MimeMessage message, bool tls = false)
    {
        var (content, tlsType) = ReportAttachment.Extract(message);
        return tls || tlsType ? TlsReportReader.Read(content, "q1", Now, "tls-reports@example.test") : DmarcReportReader.Read(content, "q1", Now, "dmarc-reports@example.test");
    }

    [Fact]
    public void Aggregate_reports_as_Google_Microsoft_and_DMARCbis_write_them_are_read_with_their_counts()
    {
        var google = Read(Mail("application/gzip", "google.com!example.test!1764633600!1764719999.xml.gz", Gzip(Encoding.UTF8.GetBytes(Google))));
        Assert.Equal(("dmarc", "example.test", "google.com", "5717107811868587391"), (google.Kind, google.Domain, google.Organization, google.ReportId));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764633600), google.Begin);
        Assert.Equal([12L, 3L], google.Rows.Select(r => r.Count));
        Assert.Equal(new ReceivedDmarcRow("192.0.2.10", 12, "none", true, true, "example.test", "example.test", "example.test", "pass"), google.Rows[0]);
        Assert.Equal(("", "spammer.example", "softfail", false), (google.Rows[1].DkimDomains, google.Rows[1].SpfDomain, google.Rows[1].SpfResult, google.Rows[1].DkimAligned));

        var microsoft = Read(Mail("application/zip", "enterprise.protection.outlook.com!example.test!1764633600!1764720000.zip", Zip("report.xml", Encoding.UTF8.GetBytes(Microsoft))));
        Assert.Equal(("Enterprise Outlook", 7L, "2001:db8::25", true, false), (microsoft.Organization, microsoft.Rows[0].Count, microsoft.Rows[0].SourceIp, microsoft.Rows[0].DkimAligned, microsoft.Rows[0].SpfAligned));

        var bis = Read(Mail("text/xml", "report.xml", Encoding.UTF8.GetBytes(Bis)));
        Assert.Equal(("Yahoo", "reject"), (bis.Organization, bis.Rows[0].Disposition));
    }

    [Fact]
    public void A_TLS_report_is_read_with_its_sessions_and_failure_types()
    {
        var report = Read(Mail("application/tlsrpt+gzip", "company-x.example!example.test!1764547200!1764633599.json.gz", Gzip(Encoding.UTF8.GetBytes(TlsRpt))));
        Assert.Equal(("tls", "example.test", "Company-X", "5065427c-23d3-47ca-b6e0-946ea0e8c4be"), (report.Kind, report.Domain, report.Organization, report.ReportId));
        var policy = Assert.Single(report.Policies);
        Assert.Equal(("sts", 5326L, 303L), (policy.PolicyType, policy.Successes, policy.Failures));
        Assert.Equal(["certificate-expired", "starttls-not-supported", "validation-failure"], policy.FailureTypes);
    }

    [Fact]
    public void Bombs_DTDs_and_what_is_not_a_report_are_refused_with_the_reason()
    {
        // 60 MB of zeros packs into a few kilobytes: past the ratio, refused before it is all read.
        var zeros = new byte[60 * 1024 * 1024];
        var zipBomb = Assert.Throws<ReportRefusedException>(() => Read(Mail("application/zip", "r.zip", Zip("r.xml", zeros))));
        Assert.Contains("zip bomb", zipBomb.Message, StringComparison.Ordinal);
        var gzipBomb = Assert.Throws<ReportRefusedException>(() => Read(Mail("application/gzip", "r.xml.gz", Gzip(zeros))));
        Assert.Contains("expands past", gzipBomb.Message, StringComparison.Ordinal);

        const string laughs = """<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><feedback>&b;</feedback>""";
        Assert.StartsWith("report refused: not XML", Assert.Throws<ReportRefusedException>(() => Read(Mail("text/xml", "r.xml", Encoding.UTF8.GetBytes(laughs)))).Message, StringComparison.Ordinal);
        Assert.StartsWith("report refused: not XML", Assert.Throws<ReportRefusedException>(() => Read(Mail("application/gzip", "r.xml.gz", Gzip(Encoding.UTF8.GetBytes("hello, I am not XML"))))).Message, StringComparison.Ordinal);
        Assert.Contains("has no <policy_published>", Assert.Throws<ReportRefusedException>(() => Read(Mail("text/xml", "r.xml", Encoding.UTF8.GetBytes("<feedback><report_metadata/></feedback>")))).Message, StringComparison.Ordinal);
        Assert.Contains("not a TLS report", Assert.Throws<ReportRefusedException>(() => Read(Mail("application/tlsrpt+json", "r.json", Encoding.UTF8.GetBytes("{\"policies\": 3")))).Message, StringComparison.Ordinal);
        Assert.Contains("no gzip, zip, XML or JSON part", Assert.Throws<ReportRefusedException>(() => Read(Mail("image/png", "r.png", [1, 2, 3]))).Message, StringComparison.Ordinal);
        Assert.Contains("cannot be decompressed", Assert.Throws<ReportRefusedException>(() => Read(Mail("application/gzip", "r.xml.gz", Encoding.UTF8.GetBytes("not a gzip stream at all")))).Message, StringComparison.Ordinal);
    }
}
