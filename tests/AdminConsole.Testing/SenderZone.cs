using System.Security.Cryptography;
using MailEngine.Dkim;
using MimeKit;
using MimeKit.Cryptography;

namespace AdminConsole.Testing;

/// <summary>
/// Another organization's mail domain as the inbound checks see it, served by a test BIND: SPF allows
/// <see cref="SendingHost"/> only, a DKIM key at selector s1, DMARC p=reject; and its mail, signed
/// with that key (MimeKit, relaxed/relaxed), as that organization's server would send it.
/// </summary>
public sealed class SenderZone : IDisposable
{
    public const string Domain = "sender.test";
    public const string SendingHost = "192.0.2.10";
    public const string Helo = "mail.sender.test";

    private readonly RSA _key = RSA.Create(2048);

    /// <summary>The zone file text for BindServer.StartAsync.</summary>
    public string ZoneFile =>
        $"$ORIGIN {Domain}.\n$TTL 60\n@ IN SOA ns.{Domain}. hostmaster.{Domain}. 1 60 60 600 60\n@ IN NS ns.{Domain}.\nns IN A 127.0.0.1\n"
        + $"@ IN TXT {Core.Dns.ZoneFile.Quoted($"v=spf1 ip4:{SendingHost} -all")}\n"
        + $"mail IN A {SendingHost}\n"
        + $"s1._domainkey IN TXT {Core.Dns.ZoneFile.Quoted($"v=DKIM1; k=rsa; p={Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo())}")}\n"
        + $"_dmarc IN TXT {Core.Dns.ZoneFile.Quoted("v=DMARC1; p=reject")}\n";

    /// <summary>A message from sam@sender.test, signed, as text with CRLF line endings.</summary>
    public string SignedMessage(string subject = "the quarterly figures")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Sam", $"sam@{Domain}"));
        message.To.Add(MailboxAddress.Parse("bob@example.test"));
        message.Subject = subject;
        message.Date = new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
        message.MessageId = $"q4@{Domain}";
        message.Body = new TextPart("plain") { Text = "The figures are in the shared folder.\r\n" };
        var signer = new DkimSigner(DkimKeyMaterial.SigningKey(_key.ExportPkcs8PrivateKey()), Domain, "s1", DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId]);
        using var stream = new MemoryStream();
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        message.WriteTo(options, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public void Dispose() => _key.Dispose();
}
