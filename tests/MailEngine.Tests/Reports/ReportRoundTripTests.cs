using MailEngine.Contracts;
using MailEngine.Dns;
using MailEngine.Hosting;
using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailEngine.Tests.Reports;

/// <summary>
/// A DMARC report round trip between two real engines (issue #16, "done when"): ours receives spoofed
/// mail from bank.test and sends bank.test the day's aggregate report; the other engine, bank.test's,
/// takes it at dmarc-reports@ and reads it with the counts ours sent, while the message still lands
/// in that mailbox.
/// </summary>
public sealed class ReportRoundTripTests
{
    [Fact]
    public async Task The_report_we_send_is_read_by_the_receiving_engine()
    {
        var theirs = await TestEngine.StartAsync(new EngineSnapshot
        {
            Version = 1,
            CompiledAt = DateTimeOffset.UtcNow,
            Domains = [new SnapshotDomain("bank.test", 10 * 1024 * 1024)],
            Mailboxes = [new SnapshotMailbox("dmarc-reports@bank.test", TestEngine.PasswordHash, 100L * 1024 * 1024)],
            Policy = new SnapshotPolicy { TrustedNetworks = [] },
        });
        await using var _ = theirs;
        var dns = new FakeDns();
        dns.Answers["bank.test"] = new MailExchangers(["127.0.0.1"]);
        var zone = new ZoneLookup()
            .Add("bank.test", DnsRecordKind.Txt, "v=spf1 ip4:192.0.2.0/24 -all")
            .Add("_dmarc.bank.test", DnsRecordKind.Txt, "v=DMARC1; p=reject; rua=mailto:dmarc-reports@bank.test");
        var ours = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o => o.Queue.RemotePort = theirs.Mx.Port, dns: dns, zone: zone);
        await using var __ = ours;

        for (var i = 0; i < 3; i++)
        {
            var spoof = new MimeMessage();
            spoof.From.Add(MailboxAddress.Parse("ceo@bank.test"));
            spoof.To.Add(MailboxAddress.Parse("alice@example.test"));
            spoof.Subject = "wire";
            spoof.Body = new TextPart("plain") { Text = "Pay now.\r\n" };
            using var client = new SmtpClient();
            await client.ConnectAsync(ours.Mx.Address.ToString(), ours.Mx.Port, SecureSocketOptions.None);
            await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(spoof, MailboxAddress.Parse("ceo@bank.test"), [MailboxAddress.Parse("alice@example.test")]));
            await client.DisconnectAsync(true);
        }

        var run = await new InProcessEngineNode(ours.Host).SendDmarcReportsAsync(DateOnly.FromDateTime(DateTime.UtcNow), CancellationToken.None);
        Assert.Equal(["dmarc-reports@bank.test"], Assert.Single(run.Reports).SentTo);

        Assert.Single(await theirs.WaitForInboxAsync("dmarc-reports@bank.test", 1));
        var received = Assert.Single(await new InProcessEngineNode(theirs.Host).ReceivedReportsAsync(DateTimeOffset.MinValue, CancellationToken.None));
        Assert.Null(received.Refused);
        Assert.Equal(("dmarc", "bank.test", "example.test", "dmarc-reports@bank.test"), (received.Kind, received.Domain, received.Organization, received.Recipient));
        var row = Assert.Single(received.Rows);
        Assert.Equal(new ReceivedDmarcRow("127.0.0.1", 3, "reject", false, false, "bank.test", "", "bank.test", "fail"), row);

        // Asked again from after it: nothing new.
        Assert.Empty(await new InProcessEngineNode(theirs.Host).ReceivedReportsAsync(received.ReceivedAt, CancellationToken.None));
    }
}
