using System.Security.Cryptography;
using System.Text;
using MailEngine.Auth.Dkim;
using MailEngine.Dkim;
using MailEngine.Dns;
using MailEngine.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MimeKit.Cryptography;

namespace MailEngine.Tests.Dkim;

/// <summary>
/// Inbound DKIM verification (#16 item 2): messages signed by dkimpy (another domain's mail system)
/// verify, l= is flagged, and the rules of RFC 8301 and the key record (RFC 6376 §3.6.1) give their
/// verdicts with a reason.
/// </summary>
public sealed class DkimVerificationTests
{
    private const string Domain = "sender.example";
    private const string Raw = "From: Sam <sam@sender.example>\r\nTo: bob@example.test\r\nSubject: the report\r\nDate: Wed, 02 Dec 2026 08:00:00 +0000\r\nMessage-ID: <r1@sender.example>\r\n\r\nThe report is attached in spirit.\r\n";

    private static MimeMessage Load(string text) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));

    private static Task<IReadOnlyList<DkimSignatureVerdict>> VerifyAsync(MimeMessage message, ZoneLookup zone, TimeProvider? clock = null) =>
        new DkimVerification(zone, clock ?? TimeProvider.System).VerifyAsync(message, CancellationToken.None);

    private static ZoneLookup Key(string selector, string record) => new ZoneLookup().Add($"{selector}._domainkey.{Domain}", DnsRecordKind.Txt, record);

    /// <summary>A message signed by MimeKit with the given key and algorithm (for the policy cases).</summary>
    private static MimeMessage Signed(RSA rsa, DkimSignatureAlgorithm algorithm = DkimSignatureAlgorithm.RsaSha256, TimeSpan? expiresAfter = null, string selector = "s1")
    {
        var message = Load(Raw);
        var signer = new DkimSigner(DkimKeyMaterial.SigningKey(rsa.ExportPkcs8PrivateKey()), Domain, selector, algorithm)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            SignaturesExpireAfter = expiresAfter,
        };
        signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date]);
        return message;
    }

    private static string Record(RSA rsa, string extra = "") => $"v=DKIM1; k=rsa;{extra} p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}";

    private static async Task<string> DkimpySignAsync(RSA rsa, string raw, bool length)
    {
        var folder = Directory.CreateTempSubdirectory("dkimpy").FullName;
        try
        {
            var (message, key) = (Path.Combine(folder, "m.eml"), Path.Combine(folder, "k.pem"));
            await File.WriteAllTextAsync(message, raw);
            await File.WriteAllTextAsync(key, rsa.ExportRSAPrivateKeyPem());
            string[] args = [Path.Combine(AppContext.BaseDirectory, "Dkim", "sign_dkim.py"), message, key, Domain, "py", .. length ? new[] { "length" } : []];
            var (exit, output) = await ExternalTool.RunAsync("/usr/bin/python3", args);
            Assert.True(exit == 0, output);
            return output;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_message_signed_by_dkimpy_passes_and_fails_once_changed()
    {
        using var rsa = RSA.Create(2048);
        var zone = Key("py", Record(rsa));
        var signed = await DkimpySignAsync(rsa, Raw, length: false);
        var verdict = Assert.Single(await VerifyAsync(Load(signed), zone));
        Assert.Equal((DkimResult.Pass, Domain, "py", "rsa-sha256", false), (verdict.Result, verdict.Domain, verdict.Selector, verdict.Algorithm, verdict.BodyLengthLimited));

        Assert.Equal(DkimResult.Fail, Assert.Single(await VerifyAsync(Load(signed.Replace("in spirit", "in letter", StringComparison.Ordinal)), zone)).Result);
        Assert.Equal(DkimResult.Fail, Assert.Single(await VerifyAsync(Load(signed.Replace("Subject: the report", "Subject: the invoice", StringComparison.Ordinal)), zone)).Result);
    }

    [Fact]
    public async Task A_body_length_limit_is_flagged_because_appended_text_still_passes()
    {
        using var rsa = RSA.Create(2048);
        var zone = Key("py", Record(rsa));
        var signed = await DkimpySignAsync(rsa, Raw, length: true);
        var appended = Assert.Single(await VerifyAsync(Load(signed + "Click here: http://evil.example/\r\n"), zone));
        Assert.Equal((DkimResult.Pass, true), (appended.Result, appended.BodyLengthLimited));
        Assert.Contains("only the first l= bytes", appended.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SHA_1_and_RSA_keys_under_1024_bits_fail_as_RFC_8301_says()
    {
        using var rsa = RSA.Create(2048);
        var sha1 = Assert.Single(await VerifyAsync(Signed(rsa, DkimSignatureAlgorithm.RsaSha1), Key("s1", Record(rsa))));
        Assert.Equal(DkimResult.Fail, sha1.Result);
        Assert.Contains("rsa-sha1 is not accepted", sha1.Reason, StringComparison.Ordinal);

        using var small = RSA.Create(512);
        var weak = Assert.Single(await VerifyAsync(Signed(small), Key("s1", Record(small))));
        Assert.Equal(DkimResult.Fail, weak.Result);
        Assert.Contains("512 bits", weak.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_signature_fails_and_a_testing_key_is_flagged()
    {
        using var rsa = RSA.Create(2048);
        var message = Signed(rsa, expiresAfter: TimeSpan.FromHours(1));
        Assert.Equal(DkimResult.Pass, Assert.Single(await VerifyAsync(message, Key("s1", Record(rsa)))).Result);
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2));
        var expired = Assert.Single(await VerifyAsync(message, Key("s1", Record(rsa)), later));
        Assert.Equal(DkimResult.Fail, expired.Result);
        Assert.Contains("expired", expired.Reason, StringComparison.Ordinal);

        var testing = Assert.Single(await VerifyAsync(Signed(rsa), Key("s1", Record(rsa, " t=y;"))));
        Assert.Equal((DkimResult.Pass, true), (testing.Result, testing.Testing));
    }

    [Theory]
    [InlineData("v=DKIM1; k=rsa; p=", DkimResult.Fail, "revoked")]
    [InlineData("v=DKIM1; k=ed25519; p=KEY", DkimResult.PermError, "k=ed25519")]
    [InlineData("v=DKIM1; h=sha1; k=rsa; p=KEY", DkimResult.PermError, "h=sha1 only")]
    [InlineData("v=DKIM1; s=tlsrpt; k=rsa; p=KEY", DkimResult.PermError, "not for email")]
    [InlineData("v=DKIM2; k=rsa; p=KEY", DkimResult.PermError, "v=DKIM2")]
    [InlineData("v=DKIM1; k=rsa; p=bm90IGEga2V5", DkimResult.PermError, "cannot be read")]
    [InlineData(null, DkimResult.PermError, "no key record")]
    public async Task Key_records_that_refuse_or_do_not_fit_the_signature_give_their_reason(string? record, DkimResult expected, string reason)
    {
        using var rsa = RSA.Create(2048);
        var zone = record is null ? new ZoneLookup() : Key("s1", record.Replace("KEY", Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), StringComparison.Ordinal));
        var verdict = Assert.Single(await VerifyAsync(Signed(rsa), zone));
        Assert.Equal(expected, verdict.Result);
        Assert.Contains(reason, verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_lookup_that_fails_is_a_temperror_and_an_unsigned_message_has_no_verdicts()
    {
        using var rsa = RSA.Create(2048);
        Assert.Equal(DkimResult.TempError, Assert.Single(await VerifyAsync(Signed(rsa), new ZoneLookup().Fail($"s1._domainkey.{Domain}"))).Result);
        Assert.Empty(await VerifyAsync(Load(Raw), new ZoneLookup()));
    }

    [Fact]
    public async Task Several_key_records_at_one_selector_are_each_tried()
    {
        // A key being replaced: the old and the new record side by side, either order.
        using var current = RSA.Create(2048);
        using var retired = RSA.Create(2048);
        var message = Signed(current);
        foreach (var order in new[] { new[] { Record(retired), Record(current) }, new[] { Record(current), Record(retired) } })
        {
            var verdict = Assert.Single(await VerifyAsync(message, Key("s1", order[0]).Add($"s1._domainkey.{Domain}", DnsRecordKind.Txt, order[1])));
            Assert.Equal(DkimResult.Pass, verdict.Result);
            Assert.Equal(8, verdict.SignaturePrefix.Length);
        }

        // Neither key signed it: the first record's reason.
        var failed = Assert.Single(await VerifyAsync(message, Key("s1", Record(retired)).Add($"s1._domainkey.{Domain}", DnsRecordKind.Txt, "v=DKIM1; p=")));
        Assert.Equal(DkimResult.Fail, failed.Result);
        Assert.Contains("does not verify", failed.Reason);
    }

    [Fact]
    public async Task An_agent_identifier_outside_the_signing_domain_is_a_permerror()
    {
        using var rsa = RSA.Create(2048);
        var message = Signed(rsa);
        var header = message.Headers[HeaderId.DkimSignature]!;
        Assert.Contains("d=sender.example;", header);
        // Before the signature's crypto is checked: i= is read from the tag list (RFC 6376 §3.5).
        message.Headers[HeaderId.DkimSignature] = header.Replace("d=sender.example;", "d=sender.example; i=sam@evil.example;");
        var verdict = Assert.Single(await VerifyAsync(message, Key("s1", Record(rsa))));
        Assert.Equal(DkimResult.PermError, verdict.Result);
        Assert.Contains("i=sam@evil.example is not in d=sender.example", verdict.Reason);

        message.Headers[HeaderId.DkimSignature] = header.Replace("d=sender.example;", "d=sender.example; i=@news.sender.example;");
        // A subdomain is allowed; the signature no longer verifies because i= was added after signing.
        Assert.Equal(DkimResult.Fail, Assert.Single(await VerifyAsync(message, Key("s1", Record(rsa)))).Result);
    }
}
