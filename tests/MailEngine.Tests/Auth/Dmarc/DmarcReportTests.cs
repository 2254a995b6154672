using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using MailEngine.Contracts;
using MailEngine.Dkim;
using MailEngine.Dns;
using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Cryptography;

namespace MailEngine.Tests.Auth.Dmarc;

/// <summary>
/// DMARC aggregate reports out (RFC 7489 §7.2, issue #16 item 7): mail from three sending domains
/// arrives (refused, Junked, passed); the day's reports go to the rua= addresses that may have them:
/// gzip'd XML that xmllint validates against the RFC's schema (Debian's Mail::DMARC copy), with the
/// right counts and dispositions, DKIM-signed for our domain (dkimpy verifies it); a destination
/// outside the sender's organization that does not authorize it (§7.1), and one whose !size limit the
/// report exceeds, get nothing; a second run sends nothing twice.
/// </summary>
public sealed class DmarcReportTests : IAsyncLifetime, IDisposable
{
    private const string Schema = "/usr/share/perl5/auto/share/dist/Mail-DMARC/rua-schema.xsd";
    private const string Reports = "dmarc@example.test";
    private static readonly (byte[] Key, string Public) OurKey = DkimKeyMaterial.Generate(ed25519: false);
    private readonly RSA _good = RSA.Create(2048);
    private TestEngine _engine = default!;

    public async Task InitializeAsync()
    {
        var zone = new ZoneLookup()
            .Add("bank.test", DnsRecordKind.Txt, "v=spf1 ip4:192.0.2.0/24 -all")
            .Add("_dmarc.bank.test", DnsRecordKind.Txt, $"v=DMARC1; p=reject; rua=mailto:{Reports}")
            .Add("bank.test._report._dmarc.example.test", DnsRecordKind.Txt, "v=DMARC1")
            .Add("shop.test", DnsRecordKind.Txt, "v=spf1 ip4:192.0.2.0/24 -all")
            .Add("_dmarc.shop.test", DnsRecordKind.Txt, $"v=DMARC1; p=quarantine; rua=mailto:{Reports}")
            .Add("good.test", DnsRecordKind.Txt, "v=spf1 ip4:127.0.0.1 -all")
            .Add("_dmarc.good.test", DnsRecordKind.Txt, $"v=DMARC1; p=reject; rua=mailto:{Reports}!100")
            .Add("good.test._report._dmarc.example.test", DnsRecordKind.Txt, "v=DMARC1")
            .Add("s1._domainkey.good.test", DnsRecordKind.Txt, $"v=DKIM1; k=rsa; p={Convert.ToBase64String(_good.ExportSubjectPublicKeyInfo())}");
        var standard = TestEngine.StandardSnapshot();
        _engine = await TestEngine.StartAsync(standard with
        {
            Domains = [standard.Domains[0] with { DkimKeys = [new SnapshotDkimKey("r1", SnapshotDkimKey.RsaSha256, OurKey.Key)] }],
            Mailboxes = [.. standard.Mailboxes, new SnapshotMailbox(Reports, TestEngine.PasswordHash, 100L * 1024 * 1024)],
        }, zone: zone);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    public void Dispose() => _good.Dispose();

    private static MimeMessage Message(string from, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse("alice@example.test"));
        message.Subject = subject;
        message.Date = DateTimeOffset.UtcNow;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("test");
        message.Body = new TextPart("plain") { Text = "The figures.\r\n" };
        return message;
    }

    private async Task SendAsync(MimeMessage message, string mailFrom)
    {
        using var client = new SmtpClient { LocalDomain = "client.good.test" };
        await client.ConnectAsync(_engine.Mx.Address.ToString(), _engine.Mx.Port, SecureSocketOptions.None);
        await client.SendAsync(message, MailboxAddress.Parse(mailFrom), message.To.Mailboxes.ToList());
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task The_days_reports_go_where_they_may_valid_signed_and_counted_and_never_twice()
    {
        for (var i = 0; i < 2; i++)
            await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(Message("ceo@bank.test", "wire"), "ceo@bank.test"));
        await SendAsync(Message("news@shop.test", "offer"), "news@shop.test");
        var signed = Message("anna@good.test", "minutes");
        new DkimSigner(DkimKeyMaterial.SigningKey(_good.ExportPkcs8PrivateKey()), "good.test", "s1", DkimSignatureAlgorithm.RsaSha256)
            .Sign(signed, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId]);
        await SendAsync(signed, "anna@good.test");
        await _engine.WaitForInboxAsync("alice@example.test", 1);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var run = await new MailEngine.Hosting.InProcessEngineNode(_engine.Host).SendDmarcReportsAsync(today, CancellationToken.None);
        Assert.Equal(["bank.test", "good.test", "shop.test"], run.Reports.Select(r => r.PolicyDomain));
        var bank = run.Reports[0];
        Assert.Equal((2, 1), (bank.Messages, bank.Rows));
        Assert.Equal([Reports], bank.SentTo);
        Assert.Contains("over its limit of 100", Assert.Single(run.Reports[1].Refused), StringComparison.Ordinal);
        Assert.Empty(run.Reports[1].SentTo);
        Assert.Contains("does not authorize the reports at shop.test._report._dmarc.example.test", Assert.Single(run.Reports[2].Refused), StringComparison.Ordinal);

        var file = Assert.Single(await _engine.WaitForInboxAsync(Reports, 1));
        var report = MimeMessage.Load(file);
        Assert.StartsWith("Report Domain: bank.test Submitter: example.test Report-ID: <", report.Subject, StringComparison.Ordinal);
        var attachment = Assert.Single(report.Attachments.OfType<MimePart>());
        Assert.Equal("application/gzip", attachment.ContentType.MimeType);
        Assert.Matches(@"^example\.test!bank\.test!\d+!\d+!\w+\.xml\.gz$", attachment.FileName);
        using var gzipped = new MemoryStream();
        await attachment.Content!.DecodeToAsync(gzipped);
        gzipped.Position = 0;
        using var xmlText = new MemoryStream();
        await using (var gzip = new GZipStream(gzipped, CompressionMode.Decompress)) await gzip.CopyToAsync(xmlText);

        var folder = Directory.CreateTempSubdirectory("dmarc-report").FullName;
        try
        {
            // The schema as RFC 7489 prints it declares a target namespace its own references do not
            // use, so no validator loads it; without that one attribute it is the schema reports follow.
            var schema = Path.Combine(folder, "rua.xsd");
            await File.WriteAllTextAsync(schema, (await File.ReadAllTextAsync(Schema)).Replace("targetNamespace=\"http://dmarc.org/dmarc-xml/0.1\"", "", StringComparison.Ordinal));
            var xml = Path.Combine(folder, "report.xml");
            await File.WriteAllBytesAsync(xml, xmlText.ToArray());
            var (exit, output) = await ExternalTool.RunAsync("xmllint", ["--noout", "--schema", schema, xml]);
            Assert.True(exit == 0, output);

            // The DKIM signature of our domain on the report: dkimpy accepts it with our published key.
            var keys = Path.Combine(folder, "keys.json");
            await File.WriteAllTextAsync(keys, JsonSerializer.Serialize(new Dictionary<string, string> { ["r1._domainkey.example.test"] = DkimKeyMaterial.RecordValue(false, OurKey.Public) }));
            var (verified, dkim) = await ExternalTool.RunAsync("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Dkim", "verify_dkim.py"), file, keys]);
            Assert.True(verified == 0, dkim);
            Assert.Contains("example.test r1 rsa-sha256 pass", dkim, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var feedback = XDocument.Load(new MemoryStream(xmlText.ToArray())).Root!;
        Assert.Equal("bank.test", feedback.Element("policy_published")!.Element("domain")!.Value);
        Assert.Equal("reject", feedback.Element("policy_published")!.Element("p")!.Value);
        var row = Assert.Single(feedback.Elements("record")).Element("row")!;
        Assert.Equal(("127.0.0.1", "2"), (row.Element("source_ip")!.Value, row.Element("count")!.Value));
        Assert.Equal(("reject", "fail", "fail"), (row.Element("policy_evaluated")!.Element("disposition")!.Value, row.Element("policy_evaluated")!.Element("dkim")!.Value, row.Element("policy_evaluated")!.Element("spf")!.Value));
        var spf = feedback.Element("record")!.Element("auth_results")!.Element("spf")!;
        Assert.Equal(("bank.test", "mfrom", "fail"), (spf.Element("domain")!.Value, spf.Element("scope")!.Value, spf.Element("result")!.Value));

        // Run again (a retried job): nothing is sent twice.
        var again = await new MailEngine.Hosting.InProcessEngineNode(_engine.Host).SendDmarcReportsAsync(today, CancellationToken.None);
        Assert.All(again.Reports, r => Assert.True(r.AlreadySent && r.SentTo.Count == 0));
        Assert.Equal(0, _engine.Host.Queue.Length);
        Assert.Single(_engine.Inbox(Reports));
    }
}
