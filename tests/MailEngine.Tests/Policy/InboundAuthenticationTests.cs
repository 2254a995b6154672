using System.Security.Cryptography;
using MailEngine.Contracts;
using MailEngine.Dkim;
using MailEngine.Dns;
using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MimeKit.Cryptography;

namespace MailEngine.Tests.Policy;

/// <summary>
/// SPF, DKIM and DMARC at the end of DATA over SMTP (issue #16 item 5), with the DNS of a written
/// zone: a spoofed From of a p=reject domain is refused with 550 5.7.1 and nothing kept; p=quarantine
/// lands in Junk; authenticated mail passes with an Authentication-Results field on the stored copy
/// and a forged one claiming our name is gone; a domain that only monitors takes everything; trusted
/// networks and authenticated submission are not asked; a forward whose valid ARC chain comes from a
/// forwarder the domain lists, saying DMARC passed there, is kept (RFC 8617 §7.2), and from anyone else refused.
/// </summary>
public sealed class InboundAuthenticationTests : IAsyncLifetime, IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private static readonly (byte[] Key, string Public) ListKey = DkimKeyMaterial.Generate(ed25519: false);
    private static readonly (byte[] Key, string Public) StrangerKey = DkimKeyMaterial.Generate(ed25519: false);
    private TestEngine _engine = default!;

    public async Task InitializeAsync()
    {
        // The client connects from 127.0.0.1: partner.test and bank.test allow only other hosts, good.test allows it.
        var zone = new ZoneLookup()
            .Add("bank.test", DnsRecordKind.Txt, "v=spf1 ip4:192.0.2.0/24 -all")
            .Add("_dmarc.bank.test", DnsRecordKind.Txt, "v=DMARC1; p=reject; rua=mailto:dmarc@bank.test")
            .Add("shop.test", DnsRecordKind.Txt, "v=spf1 ip4:192.0.2.0/24 -all")
            .Add("_dmarc.shop.test", DnsRecordKind.Txt, "v=DMARC1; p=quarantine")
            .Add("good.test", DnsRecordKind.Txt, "v=spf1 ip4:127.0.0.1 -all")
            .Add("_dmarc.good.test", DnsRecordKind.Txt, "v=DMARC1; p=reject")
            .Add("s1._domainkey.good.test", DnsRecordKind.Txt, $"v=DKIM1; k=rsa; p={Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo())}")
            .Add("arc._domainkey.lists.test", DnsRecordKind.Txt, DkimKeyMaterial.RecordValue(false, ListKey.Public))
            .Add("arc._domainkey.stranger.test", DnsRecordKind.Txt, DkimKeyMaterial.RecordValue(false, StrangerKey.Public));
        var snapshot = TestEngine.StandardSnapshot() with
        {
            Domains = [new SnapshotDomain(TestEngine.Domain, 10 * 1024 * 1024, TrustedArcSealers: ["lists.test"]), new SnapshotDomain("watch.test", 10 * 1024 * 1024, Dmarc: DmarcEnforcement.Monitor)],
            Mailboxes = [.. TestEngine.StandardSnapshot().Mailboxes, new SnapshotMailbox("wendy@watch.test", TestEngine.PasswordHash, 100L * 1024 * 1024)],
        };
        _engine = await TestEngine.StartAsync(snapshot, zone: zone);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    public void Dispose() => _key.Dispose();

    private static MimeMessage Message(string from, string to, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Date = DateTimeOffset.UtcNow;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("test");
        message.Body = new TextPart("plain") { Text = "Please pay the invoice today.\r\n" };
        return message;
    }

    private async Task SendAsync(MimeMessage message, string mailFrom)
    {
        using var client = new SmtpClient { LocalDomain = "client.good.test" };
        await client.ConnectAsync(_engine.Mx.Address.ToString(), _engine.Mx.Port, SecureSocketOptions.None);
        await client.SendAsync(message, MailboxAddress.Parse(mailFrom), message.To.Mailboxes.ToList());
        await client.DisconnectAsync(true);
    }

    private string[] Folder(string address, string folder)
    {
        var path = Path.Combine(_engine.Host.Maildirs.FolderPath(address, folder), "new");
        return Directory.Exists(path) ? Directory.GetFiles(path) : [];
    }

    [Fact]
    public async Task A_spoofed_From_of_a_p_reject_domain_is_refused_at_DATA_and_nothing_is_kept()
    {
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(Message("ceo@bank.test", "alice@example.test", "urgent wire"), "ceo@bank.test"));
        Assert.Equal(550, (int)e.StatusCode);
        Assert.Contains("5.7.1", e.Message + e.ErrorCode, StringComparison.Ordinal);
        Assert.Contains("DMARC policy of bank.test is reject", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _engine.SpoolFiles);
        Assert.Empty(_engine.Inbox("alice@example.test"));
        Assert.Contains(_engine.Host.Counters.Rejected.Values, v => v.Value == "dmarc" && v.Count == 1);
    }

    [Fact]
    public async Task A_p_quarantine_failure_lands_in_Junk_with_its_symbol()
    {
        await SendAsync(Message("news@shop.test", "alice@example.test", "a great offer"), "news@shop.test");
        var file = Assert.Single(await WaitAsync(() => Folder("alice@example.test", "Junk")));
        var stored = await File.ReadAllTextAsync(file);
        Assert.Contains("DMARC_POLICY_QUARANTINE=", stored, StringComparison.Ordinal);
        Assert.Contains("SPF_FAIL=", stored, StringComparison.Ordinal);
        Assert.Contains("dmarc=fail (p=quarantine dis=quarantine) header.from=shop.test", stored, StringComparison.Ordinal);
        Assert.Empty(_engine.Inbox("alice@example.test"));
    }

    [Fact]
    public async Task Authenticated_mail_passes_and_a_forged_result_claiming_our_name_is_removed()
    {
        var message = Message("anna@good.test", "alice@example.test", "the minutes");
        // One forged field with our authserv-id (folded over two lines), one from another receiver that stays.
        message.Headers.Add("Authentication-Results", "mx.example.test;\r\n\tdkim=pass header.d=bank.test; dmarc=pass header.from=bank.test");
        message.Headers.Add("Authentication-Results", "relay.elsewhere.test; spf=pass smtp.mailfrom=anna@good.test");
        var signer = new DkimSigner(DkimKeyMaterial.SigningKey(_key.ExportPkcs8PrivateKey()), "good.test", "s1", DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId]);
        await SendAsync(message, "anna@good.test");

        var stored = await File.ReadAllTextAsync(Assert.Single(await _engine.WaitForInboxAsync("alice@example.test", 1)));
        var fields = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(stored))).Headers.Where(h => h.Field == "Authentication-Results").Select(h => h.Value).ToList();
        Assert.Equal(2, fields.Count);
        var ours = fields[0];
        Assert.StartsWith("mx.example.test;", ours, StringComparison.Ordinal);
        Assert.Contains("spf=pass (", ours, StringComparison.Ordinal);
        Assert.Contains("smtp.mailfrom=anna@good.test", ours, StringComparison.Ordinal);
        Assert.Contains("spf=pass (", ours, StringComparison.Ordinal);
        Assert.Contains("smtp.helo=client.good.test", ours, StringComparison.Ordinal);
        Assert.Contains("dkim=pass (signed by good.test with s1._domainkey.good.test) header.d=good.test header.s=s1 header.b=", ours, StringComparison.Ordinal);
        Assert.Contains("dmarc=pass (p=reject dis=none) header.from=good.test", ours, StringComparison.Ordinal);
        Assert.StartsWith("relay.elsewhere.test;", fields[1], StringComparison.Ordinal);
        Assert.DoesNotContain("header.d=bank.test", stored, StringComparison.Ordinal);
        // The message below the removed field is whole: its signature still verifies where the field was not signed.
        Assert.Contains("Please pay the invoice today.", stored, StringComparison.Ordinal);
        Assert.Contains("DKIM_VALID_AU=", stored, StringComparison.Ordinal);
        Assert.Contains("DMARC_PASS=", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_that_monitors_takes_the_failing_message_into_the_inbox_with_its_results()
    {
        // A plain subject: the scanner's own rules (SUBJ_URGENT) would add enough to Junk it on their own.
        await SendAsync(Message("ceo@bank.test", "wendy@watch.test", "quarterly figures"), "ceo@bank.test");
        var stored = await File.ReadAllTextAsync(Assert.Single(await _engine.WaitForInboxAsync("wendy@watch.test", 1)));
        Assert.Contains("spf=fail (", stored, StringComparison.Ordinal);
        Assert.Contains("dmarc=fail (p=reject dis=reject) header.from=bank.test", stored, StringComparison.Ordinal);
        Assert.Contains("DMARC_POLICY_REJECT=", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_for_a_monitoring_and_an_enforcing_domain_is_taken_and_Junked_for_the_enforcing_one()
    {
        // Refusing it would cost wendy her copy for alice's domain's setting.
        var message = Message("ceo@bank.test", "alice@example.test", "quarterly figures");
        message.To.Add(MailboxAddress.Parse("wendy@watch.test"));
        await SendAsync(message, "ceo@bank.test");
        Assert.Single(await _engine.WaitForInboxAsync("wendy@watch.test", 1));
        Assert.Single(await WaitAsync(() => Folder("alice@example.test", "Junk")));
    }

    [Fact]
    public async Task Trusted_networks_and_authenticated_submission_are_not_asked()
    {
        // The loopback network trusted: the spoofed message goes through unchecked, with no results of ours.
        _engine.Host.Apply(TestEngine.StandardSnapshot(version: 2, policy: new SnapshotPolicy { TrustedNetworks = ["127.0.0.0/8"] }));
        await SendAsync(Message("ceo@bank.test", "alice@example.test", "from the office"), "ceo@bank.test");
        var stored = await File.ReadAllTextAsync(Assert.Single(await _engine.WaitForInboxAsync("alice@example.test", 1)));
        Assert.DoesNotContain("Authentication-Results:", stored, StringComparison.Ordinal);

        using var submission = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await submission.ConnectAsync(_engine.Submission.Address.ToString(), _engine.Submission.Port, SecureSocketOptions.StartTls);
        await submission.AuthenticateAsync("bob@example.test", TestEngine.Password);
        await submission.SendAsync(Message("bob@example.test", "alice@example.test", "from bob"));
        await submission.DisconnectAsync(true);
        var files = await _engine.WaitForInboxAsync("alice@example.test", 2);
        Assert.All(files, f => Assert.DoesNotContain("Authentication-Results:", File.ReadAllText(f), StringComparison.Ordinal));
    }

    /// <summary>A forwarder's hop: its Authentication-Results (what it saw), a tag in the subject (which breaks DKIM), and its ARC set.</summary>
    private static async Task<MimeMessage> ForwardedAsync(string forwarder, (byte[] Key, string Public) key, string dmarcThere, MimeMessage message)
    {
        // The forwarder seals the bytes it received and changed, as a real one does (MimeKit's signer hashes a built message's body as it would first encode it).
        message.Subject = "[list] " + message.Subject;
        message.Headers.Insert(0, new Header("Authentication-Results", $"mx.{forwarder}; spf=pass smtp.mailfrom=bank.test; dmarc={dmarcThere} header.from=bank.test"));
        using (var bytes = new MemoryStream())
        {
            await message.WriteToAsync(bytes);
            bytes.Position = 0;
            message = await MimeMessage.LoadAsync(bytes);
        }

        var sealer = new ArcSealing(new MailEngine.Auth.Arc.ArcVerification(new ZoneLookup()), $"mx.{forwarder}", TimeProvider.System, new MailEngine.Telemetry.EngineCounters());
        Assert.True(await sealer.SealAsync(message, new SnapshotDomain(forwarder, 1024 * 1024, DkimKeys: [new SnapshotDkimKey("arc", SnapshotDkimKey.RsaSha256, key.Key)]), CancellationToken.None));
        return message;
    }

    [Fact]
    public async Task A_forward_sealed_by_a_listed_forwarder_that_saw_DMARC_pass_is_kept_and_others_are_refused()
    {
        // The list's mail comes from the list's host with its own envelope sender: SPF is not bank.test's, DKIM broke.
        await SendAsync(await ForwardedAsync("lists.test", ListKey, "pass", Message("ceo@bank.test", "alice@example.test", "board minutes")), "list-bounces@lists.test");
        var stored = await File.ReadAllTextAsync(Assert.Single(await _engine.WaitForInboxAsync("alice@example.test", 1)));
        var ours = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(stored))).Headers.First(h => h.Field == "Authentication-Results").Value;
        Assert.Contains("dmarc=fail (p=reject dis=reject) header.from=bank.test", ours, StringComparison.Ordinal);
        Assert.True(ours.Contains("arc=pass (1 ARC set, newest sealed by lists.test; it saw spf=pass dmarc=pass arc=none)", StringComparison.Ordinal), ours);
        Assert.Contains("ARC_TRUSTED=", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("DMARC_POLICY_REJECT=", stored, StringComparison.Ordinal);
        Assert.Empty(Folder("alice@example.test", "Junk"));

        // A valid chain from a forwarder nobody listed, and the listed one saying DMARC failed there: refused as before.
        foreach (var (forwarder, key, dmarc) in new[] { ("stranger.test", StrangerKey, "pass"), ("lists.test", ListKey, "fail") })
        {
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(async () =>
                await SendAsync(await ForwardedAsync(forwarder, key, dmarc, Message("ceo@bank.test", "alice@example.test", "board minutes")), $"list-bounces@{forwarder}"));
            Assert.Equal(550, (int)refused.StatusCode);
            Assert.Contains("DMARC policy of bank.test is reject", refused.Message, StringComparison.Ordinal);
        }

        Assert.Single(_engine.Inbox("alice@example.test"));
    }

    private static async Task<string[]> WaitAsync(Func<string[]> files)
    {
        var deadline = DateTime.UtcNow + TestEngine.DeliveryWait;
        while (DateTime.UtcNow < deadline)
        {
            if (files() is { Length: > 0 } found) return found;
            await Task.Delay(50);
        }

        return files();
    }
}
