using System.Net;
using MailEngine.Contracts;
using MailEngine.Dns;
using MailEngine.Srs;
using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace MailEngine.Tests.Srs;

/// <summary>
/// SRS between two real engines: ours (example.test) forwards to an external group member and by a
/// Sieve redirect with the sender rewritten; the other (remote.test, origin.test) bounces a forwarded
/// copy to that SRS address, and ours routes the DSN back to the original sender. Forged and expired
/// SRS addresses are refused at RCPT.
/// </summary>
public sealed class SrsDeliveryTests
{
    private static readonly byte[] Secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    private static readonly (byte[] Key, string Public) Dkim = MailEngine.Dkim.DkimKeyMaterial.Generate(ed25519: false);
    private const string Selector = "202612r";

    /// <summary>What our selector's TXT record says, as the receiving side's DNS answers it.</summary>
    private static Dictionary<string, string> Records() => new() { [$"{Selector}._domainkey.{TestEngine.Domain}"] = MailEngine.Dkim.DkimKeyMaterial.RecordValue(false, Dkim.Public) };

    private static EngineSnapshot Ours() => TestEngine.StandardSnapshot() with
    {
        Domains = [TestEngine.StandardSnapshot().Domains[0] with { DkimKeys = [new SnapshotDkimKey(Selector, SnapshotDkimKey.RsaSha256, Dkim.Key)] }, .. TestEngine.StandardSnapshot().Domains.Skip(1)],
        Mailboxes =
        [
            .. TestEngine.StandardSnapshot().Mailboxes.Where(m => m.Address != $"bob@{TestEngine.Domain}"),
            new SnapshotMailbox($"bob@{TestEngine.Domain}", TestEngine.PasswordHash, 100L * 1024 * 1024, SieveScript: "redirect \"rita@remote.test\";\r\n"),
        ],
        Aliases =
        [
            .. TestEngine.StandardSnapshot().Aliases,
            new SnapshotAlias($"team@{TestEngine.Domain}", [$"alice@{TestEngine.Domain}", "rita@remote.test"]),
            new SnapshotAlias($"bouncing@{TestEngine.Domain}", ["list@remote.test"]),
        ],
        Srs = new SnapshotSrs([Secret]),
    };

    /// <summary>remote.test (rita; list@ forwards to a domain that has no mail exchanger, so it bounces) and origin.test (orson).</summary>
    private static EngineSnapshot Theirs() => new()
    {
        Version = 1,
        CompiledAt = DateTimeOffset.UtcNow,
        Domains = [new SnapshotDomain("remote.test", 10 * 1024 * 1024), new SnapshotDomain("origin.test", 10 * 1024 * 1024)],
        Mailboxes = [new SnapshotMailbox("rita@remote.test", TestEngine.PasswordHash, 100L * 1024 * 1024), new SnapshotMailbox("orson@origin.test", TestEngine.PasswordHash, 100L * 1024 * 1024)],
        Aliases = [new SnapshotAlias("list@remote.test", ["gone@nowhere.test"])],
        Policy = new SnapshotPolicy { TrustedNetworks = [] },
    };

    private static async Task<(TestEngine Ours, TestEngine Theirs)> StartAsync()
    {
        // Each relays to the other: their MX names resolve to loopback, the port is the other's listener.
        var oursPort = TestEngine.FreePort();
        var theirDns = new FakeDns();
        theirDns.Answers[TestEngine.Domain] = new MailExchangers(["127.0.0.1"]);
        var theirZone = new ZoneLookup();
        foreach (var (name, value) in Records()) theirZone.Add(name, DnsRecordKind.Txt, value);
        var theirs = await TestEngine.StartAsync(Theirs(), o => o.Queue.RemotePort = oursPort, dns: theirDns, zone: theirZone);
        try
        {
            var dns = new FakeDns();
            dns.Answers["remote.test"] = new MailExchangers(["127.0.0.1"]);
            dns.Answers["origin.test"] = new MailExchangers(["127.0.0.1"]);
            var ours = await TestEngine.StartAsync(Ours(), o =>
            {
                o.Mx.Port = oursPort;
                o.Queue.RemotePort = theirs.Mx.Port;
            }, dns: dns);
            return (ours, theirs);
        }
        catch
        {
            await theirs.DisposeAsync();
            throw;
        }
    }

    private static MimeMessage Message(string from, string to, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Hello.\r\n" };
        return message;
    }

    private static async Task SendAsync(IPEndPoint endpoint, MimeMessage message, string from, string to, string? user = null)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, user is null ? SecureSocketOptions.None : SecureSocketOptions.StartTls);
        if (user is not null) await client.AuthenticateAsync(user, TestEngine.Password);
        await client.SendAsync(message, MailboxAddress.Parse(from), [MailboxAddress.Parse(to)]);
        await client.DisconnectAsync(true);
    }

    private static string ReturnPath(string file) => File.ReadLines(file).First(l => l.StartsWith("Return-Path:", StringComparison.Ordinal))["Return-Path:".Length..].Trim().Trim('<', '>');

    [Fact]
    public async Task A_foreign_sender_forwarded_to_an_external_member_is_rewritten_and_our_own_sender_is_not()
    {
        var (ours, theirs) = await StartAsync();
        await using var _ = ours;
        await using var __ = theirs;

        await SendAsync(ours.Mx, Message("orson@origin.test", $"team@{TestEngine.Domain}", "to the team"), "orson@origin.test", $"team@{TestEngine.Domain}");
        var forwarded = ReturnPath(Assert.Single(await theirs.WaitForInboxAsync("rita@remote.test", 1)));
        // The receiving engine folds the address to lower case, as many do: the hash survives that.
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"^SRS0=[A-Z2-7]{6}=[A-Z2-7]{2}=origin\.test=orson@example\.test$", System.Text.RegularExpressions.RegexOptions.IgnoreCase), forwarded);
        Assert.Equal("orson@origin.test", new SenderRewriting([Secret], TimeProvider.System).Reverse(forwarded.Split('@')[0]).Address);
        // The local member's copy keeps the real sender: nothing was forwarded to it.
        Assert.Equal("orson@origin.test", ReturnPath(Assert.Single(await ours.WaitForInboxAsync($"alice@{TestEngine.Domain}", 1))));

        // One of ours writing to the group: SPF passes for our own domain, nothing to rewrite.
        await SendAsync(ours.Submission, Message($"alice@{TestEngine.Domain}", $"team@{TestEngine.Domain}", "from alice"), $"alice@{TestEngine.Domain}", $"team@{TestEngine.Domain}", user: $"alice@{TestEngine.Domain}");
        var copies = await theirs.WaitForInboxAsync("rita@remote.test", 2);
        Assert.Contains(copies, f => ReturnPath(f) == $"alice@{TestEngine.Domain}");
    }

    [Fact]
    public async Task A_forwarded_copy_carries_our_ARC_set_which_dkimpy_and_the_receiving_engine_verify()
    {
        var (ours, theirs) = await StartAsync();
        await using var _ = ours;
        await using var __ = theirs;

        await SendAsync(ours.Mx, Message("orson@origin.test", $"team@{TestEngine.Domain}", "to the team"), "orson@origin.test", $"team@{TestEngine.Domain}");
        var copy = Assert.Single(await theirs.WaitForInboxAsync("rita@remote.test", 1));
        var text = await File.ReadAllTextAsync(copy);
        var headers = MimeMessage.Load(copy).Headers;
        var seal = Assert.Single(headers, h => h.Id == HeaderId.ArcSeal).Value;
        Assert.Contains($"d={TestEngine.Domain}", seal, StringComparison.Ordinal);
        Assert.Contains("cv=none", seal, StringComparison.Ordinal);
        // The AAR repeats what we saw on arrival.
        Assert.Contains("spf=", Assert.Single(headers, h => h.Id == HeaderId.ArcAuthenticationResults).Value, StringComparison.Ordinal);
        Assert.Contains(ours.Host.Counters.ArcSealed.Values, v => v.Count == 1);

        // The receiving engine's own results (the topmost Authentication-Results) say the chain passes.
        Assert.Contains($"arc=pass (1 ARC set, newest sealed by {TestEngine.Domain}", headers.First(h => h.Id == HeaderId.AuthenticationResults).Value, StringComparison.Ordinal);

        var folder = Directory.CreateTempSubdirectory("arc").FullName;
        try
        {
            var (message, keys) = (Path.Combine(folder, "m.eml"), Path.Combine(folder, "keys.json"));
            await File.WriteAllTextAsync(message, text);
            await File.WriteAllTextAsync(keys, System.Text.Json.JsonSerializer.Serialize(Records()));
            var (exit, output) = await ExternalTool.RunAsync("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Dkim", "arc_dkimpy.py"), "verify", message, keys]);
            Assert.True(exit == 0, output);
            Assert.StartsWith("pass", output.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        // The local member's copy was not forwarded: no seal on it.
        Assert.DoesNotContain("ARC-Seal:", await File.ReadAllTextAsync(Assert.Single(await ours.WaitForInboxAsync($"alice@{TestEngine.Domain}", 1))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Sieve_redirect_to_an_outside_address_is_rewritten_too()
    {
        var (ours, theirs) = await StartAsync();
        await using var _ = ours;
        await using var __ = theirs;

        await SendAsync(ours.Mx, Message("orson@origin.test", $"bob@{TestEngine.Domain}", "redirected"), "orson@origin.test", $"bob@{TestEngine.Domain}");
        var copy = Assert.Single(await theirs.WaitForInboxAsync("rita@remote.test", 1));
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"^SRS0=[A-Z2-7]{6}=[A-Z2-7]{2}=origin\.test=orson@example\.test$", System.Text.RegularExpressions.RegexOptions.IgnoreCase), ReturnPath(copy));
        Assert.Contains("Subject: redirected", await File.ReadAllTextAsync(copy), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bounce_of_a_forwarded_copy_comes_back_through_the_SRS_address_to_the_original_sender()
    {
        var (ours, theirs) = await StartAsync();
        await using var _ = ours;
        await using var __ = theirs;

        // bouncing@ forwards to list@remote.test, which the other engine accepts and then cannot deliver:
        // its DSN goes to the envelope sender it saw, our SRS address, and we pass it on to orson.
        await SendAsync(ours.Mx, Message("orson@origin.test", $"bouncing@{TestEngine.Domain}", "will come back"), "orson@origin.test", $"bouncing@{TestEngine.Domain}");
        var dsnFile = Assert.Single(await theirs.WaitForInboxAsync("orson@origin.test", 1));
        Assert.Equal("", ReturnPath(dsnFile)); // a DSN has the null sender (RFC 5321 6.1)
        var dsn = await MimeMessage.LoadAsync(dsnFile);
        Assert.Equal("Undelivered Mail Returned to Sender", dsn.Subject);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        var status = Assert.IsType<MessageDeliveryStatus>(report[1]);
        Assert.Equal("rfc822; gone@nowhere.test", status.StatusGroups[1]["Final-Recipient"]);
        Assert.Contains("Subject: will come back", dsn.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_or_expired_SRS_address_is_refused_at_RCPT_and_a_valid_one_is_taken_from_anyone()
    {
        var (ours, theirs) = await StartAsync();
        await using var _ = ours;
        await using var __ = theirs;
        var valid = new SenderRewriting([Secret], TimeProvider.System).Forward("orson@origin.test", TestEngine.Domain);
        var expired = new SenderRewriting([Secret], new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-22))).Forward("orson@origin.test", TestEngine.Domain);
        var otherKey = new SenderRewriting([System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)], TimeProvider.System).Forward("orson@origin.test", TestEngine.Domain);

        await using var smtp = await RawSmtpClient.ConnectAsync(ours.Mx);
        Assert.StartsWith("220", await smtp.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await smtp.CommandAsync("EHLO bounces.remote.test"), StringComparison.Ordinal);
        Assert.StartsWith("250", await smtp.CommandAsync("MAIL FROM:<>"), StringComparison.Ordinal);
        var forged = await smtp.CommandAsync($"RCPT TO:<{otherKey}>");
        Assert.StartsWith("550 5.1.1", forged, StringComparison.Ordinal);
        Assert.Contains("forged", forged, StringComparison.Ordinal);
        var old = await smtp.CommandAsync($"RCPT TO:<{expired}>");
        Assert.StartsWith("550 5.1.1", old, StringComparison.Ordinal);
        Assert.Contains("expired", old, StringComparison.Ordinal);
        // Not authenticated, not a trusted network: a valid SRS address is still taken (it is a bounce coming home).
        Assert.StartsWith("250", await smtp.CommandAsync($"RCPT TO:<{valid}>"), StringComparison.Ordinal);
        Assert.StartsWith("354", await smtp.CommandAsync("DATA"), StringComparison.Ordinal);
        Assert.StartsWith("250", await smtp.CommandAsync("From: MAILER-DAEMON@remote.test\r\nTo: orson@origin.test\r\nSubject: returned\r\n\r\nIt did not arrive.\r\n."), StringComparison.Ordinal);
        await smtp.CommandAsync("QUIT");

        var returned = Assert.Single(await theirs.WaitForInboxAsync("orson@origin.test", 1));
        Assert.Contains("Subject: returned", await File.ReadAllTextAsync(returned), StringComparison.Ordinal);
    }
}
