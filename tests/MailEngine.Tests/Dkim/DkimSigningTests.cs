using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using MailEngine.Contracts;
using MailEngine.Dkim;
using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailEngine.Tests.Dkim;

/// <summary>
/// Submitted mail leaves signed twice (RSA and Ed25519, RFC 8463 §4), and a real verifier, dkimpy,
/// accepts each signature on its own with the keys our records publish; a byte changed after signing
/// makes it fail. Messages shaped the way signatures usually break: 8-bit bodies, long lines,
/// trailing whitespace, repeated headers, multipart.
/// </summary>
public sealed class DkimSigningTests : IAsyncLifetime
{
    private const string Domain = TestEngine.Domain;
    private static readonly (byte[] Key, string Public) Rsa = DkimKeyMaterial.Generate(ed25519: false);
    private static readonly (byte[] Key, string Public) Ed = DkimKeyMaterial.Generate(ed25519: true);
    private TestEngine _engine = default!;

    public async Task InitializeAsync()
    {
        var standard = TestEngine.StandardSnapshot();
        _engine = await TestEngine.StartAsync(standard with
        {
            Domains = [standard.Domains[0] with
            {
                DkimKeys = [new SnapshotDkimKey("202612r", SnapshotDkimKey.RsaSha256, Rsa.Key), new SnapshotDkimKey("202612e", SnapshotDkimKey.Ed25519Sha256, Ed.Key)],
            }],
        });
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    /// <summary>The test's DNS: what the selectors' TXT records say.</summary>
    private static Dictionary<string, string> Records() => new()
    {
        [$"202612r._domainkey.{Domain}"] = DkimKeyMaterial.RecordValue(false, Rsa.Public),
        [$"202612e._domainkey.{Domain}"] = DkimKeyMaterial.RecordValue(true, Ed.Public),
    };

    private async Task<string> SubmitAsync(string raw, string to = "bob@example.test")
    {
        var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw)));
        using (var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 })
        {
            await client.ConnectAsync(_engine.Submission.Address.ToString(), _engine.Submission.Port, SecureSocketOptions.StartTls);
            await client.AuthenticateAsync("alice@example.test", TestEngine.Password);
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }

        var inbox = await _engine.WaitForInboxAsync(to, 1);
        var path = Assert.Single(inbox);
        var copy = Path.Combine(_engine.Root, "delivered-" + Guid.NewGuid().ToString("N") + ".eml");
        File.Move(path, copy);
        return copy;
    }

    private async Task<string[]> VerifyAsync(string file)
    {
        var keys = Path.Combine(_engine.Root, "keys-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(keys, JsonSerializer.Serialize(Records()));
        var (exit, output) = await ExternalTool.RunAsync("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Dkim", "verify_dkim.py"), file, keys]);
        Assert.True(exit == 0, output);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#')).ToArray();
    }

    /// <summary>Our own inbound verifier (#16) on the same file, with the same keys: it must agree with dkimpy.</summary>
    private static async Task<string[]> VerifyOursAsync(string file)
    {
        var zone = new ZoneLookup();
        foreach (var (name, value) in Records()) zone.Add(name, MailEngine.Dns.DnsRecordKind.Txt, value);
        var verdicts = await new MailEngine.Auth.Dkim.DkimVerification(zone, TimeProvider.System).VerifyAsync(MimeMessage.Load(file), CancellationToken.None);
        return [.. verdicts.Select(v => $"{v.Domain} {v.Selector} {v.Algorithm} {v.Keyword}")];
    }

    public static TheoryData<string, string> Messages() => new()
    {
        { "plain", "From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: plain\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <p1@example.test>\r\n\r\nHello Bob.\r\n" },
        { "8-bit body", "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln, ½ € — 日本語.\r\n" },
        { "long lines and trailing whitespace", "From: alice@example.test\r\nTo: bob@example.test   \r\nSubject:    spaced   out\t\r\n\r\n" + new string('a', 900) + "\r\ntrailing spaces   \r\ntrailing tab\t\r\n\r\n\r\n" },
        { "repeated headers", "From: alice@example.test\r\nTo: bob@example.test\r\nTo: alice@example.test\r\nSubject: one\r\nComments: first\r\nComments: second\r\nReferences: <a@x>\r\n <b@x>\r\n\r\nbody\r\n" },
        { "multipart", "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: with an attachment\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQ==\r\n--b1--\r\nepilogue\r\n" },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task A_submitted_message_carries_an_RSA_and_an_Ed25519_signature_that_dkimpy_accepts_each_on_its_own(string shape, string raw)
    {
        var file = await SubmitAsync(raw);
        var results = await VerifyAsync(file);
        Assert.True(results.Length == 2, $"{shape}: {string.Join(" | ", results)}");
        Assert.Contains(results, r => r.EndsWith($"{Domain} 202612r rsa-sha256 pass", StringComparison.Ordinal));
        Assert.Contains(results, r => r.EndsWith($"{Domain} 202612e ed25519-sha256 pass", StringComparison.Ordinal));
        Assert.Equal([$"{Domain} 202612e ed25519-sha256 pass", $"{Domain} 202612r rsa-sha256 pass"], (await VerifyOursAsync(file)).Order(StringComparer.Ordinal));

        var signed = await File.ReadAllTextAsync(file);
        Assert.DoesNotContain(" l=", signed, StringComparison.Ordinal); // no body length limit (RFC 6376 §8.2)
        Assert.Contains("c=relaxed/relaxed", signed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_changed_after_signing_fails_verification()
    {
        var file = await SubmitAsync("From: alice@example.test\r\nTo: bob@example.test\r\nSubject: pay 100\r\n\r\nPlease pay 100 EUR.\r\n");
        var text = await File.ReadAllTextAsync(file);
        await File.WriteAllTextAsync(file, text.Replace("Please pay 100 EUR.", "Please pay 900 EUR.", StringComparison.Ordinal));
        Assert.All(await VerifyAsync(file), r => Assert.EndsWith("fail", r, StringComparison.Ordinal));
        Assert.All(await VerifyOursAsync(file), r => Assert.EndsWith("fail", r, StringComparison.Ordinal));

        await File.WriteAllTextAsync(file, text.Replace("Subject: pay 100", "Subject: pay 900", StringComparison.Ordinal));
        Assert.All(await VerifyAsync(file), r => Assert.EndsWith("fail", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mail_from_a_domain_that_is_not_ours_and_mail_from_outside_are_not_signed()
    {
        // From outside on the MX: the sender's own systems sign it, not us.
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(_engine.Mx.Address.ToString(), _engine.Mx.Port, SecureSocketOptions.None);
            var message = MimeMessage.Load(new MemoryStream("From: someone@outside.test\r\nTo: bob@example.test\r\nSubject: hi\r\n\r\nhello\r\n"u8.ToArray()));
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }

        var stored = await File.ReadAllTextAsync(Assert.Single(await _engine.WaitForInboxAsync("bob@example.test", 1)));
        Assert.DoesNotContain("DKIM-Signature", stored, StringComparison.OrdinalIgnoreCase);
    }
}
