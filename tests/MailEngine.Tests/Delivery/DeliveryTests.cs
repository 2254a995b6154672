using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Dns;
using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailEngine.Tests.Delivery;

/// <summary>What happens after 250: quota warnings, relaying to another server, retries, DSNs, restarts.</summary>
public sealed class DeliveryTests
{
    private static MimeMessage Message(string from, string to, string body = "Hello.\r\n", string subject = "test")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private static async Task SendAsync(System.Net.IPEndPoint endpoint, MimeMessage message, string? user = null)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, user is null ? SecureSocketOptions.None : SecureSocketOptions.StartTls);
        if (user is not null) await client.AuthenticateAsync(user, TestEngine.Password);
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Crossing_80_and_95_percent_of_the_quota_sends_one_warning_each()
    {
        // 5% of the quota is more than one copy, so the copy that crosses 95% still fits.
        const long quota = 40_000;
        var snapshot = TestEngine.StandardSnapshot() with
        {
            Mailboxes = [new SnapshotMailbox("erin@example.test", TestEngine.PasswordHash, quota)],
        };
        await using var engine = await TestEngine.StartAsync(snapshot);

        // Copies of about 1.9 KB: several land between 80% and 95%, and each of them must not warn again.
        var sent = 0;
        while (engine.Host.Maildirs.Usage("erin@example.test") < quota * 95 / 100)
        {
            await SendAsync(engine.Mx, Message("x@outside.test", "erin@example.test", new string('q', 1100) + "\r\n", $"m{sent}"));
            sent++;
            await WaitUntilAsync(() => engine.Host.Counters.Delivered.Total == sent && engine.Host.Queue.Length == 0);
        }

        Assert.InRange(sent, 17, 24); // each copy also carries the scanner's X-Spam headers and Authentication-Results
        var warnings = engine.Inbox("erin@example.test").Select(File.ReadAllText).Where(t => t.Contains("Subject: Your mailbox is", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("Subject: Your mailbox is 80% full", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("Subject: Your mailbox is 95% full", StringComparison.Ordinal));
        Assert.All(warnings, w => Assert.Contains("Auto-Submitted: auto-generated", w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submitted_mail_for_another_domain_is_relayed_to_its_exchanger()
    {
        await using var remote = await TestEngine.StartAsync(RemoteSnapshot());
        var dns = new FakeDns();
        dns.Answers["remote.test"] = new MailExchangers(["127.0.0.1"]);
        await using var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o => o.Queue.RemotePort = remote.Mx.Port, dns: dns);

        await SendAsync(engine.Submission, Message("alice@example.test", "rita@remote.test", subject: "relayed"), user: "alice@example.test");

        var stored = await File.ReadAllTextAsync(Assert.Single(await remote.WaitForInboxAsync("rita@remote.test", 1)));
        Assert.Contains("Return-Path: <alice@example.test>", stored, StringComparison.Ordinal);
        Assert.Contains("Subject: relayed", stored, StringComparison.Ordinal);
        // Opportunistic STARTTLS: the remote's Received header says ESMTPS.
        Assert.Contains("with ESMTPS id", stored, StringComparison.Ordinal);
        // The remote stores the copy before our side has recorded its 250: wait for the sender's bookkeeping.
        await WaitUntilAsync(() => engine.Host.Queue.Length == 0 && engine.Host.Counters.Delivered.Values.Any(v => v.Value == "remote"));
        Assert.Equal(1, engine.Host.Counters.Delivered.Values.Single(v => v.Value == "remote").Count);
    }

    [Fact]
    public async Task A_temporary_failure_is_retried_with_back_off_and_then_delivered()
    {
        // The remote exchanger is down at first (connection refused: temporary), then comes up on its port.
        var remotePort = FreePort();
        var dns = new FakeDns();
        dns.Answers["remote.test"] = new MailExchangers(["127.0.0.1"]);
        await using var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o =>
        {
            o.Queue.RemotePort = remotePort;
            o.Queue.FirstRetry = TimeSpan.FromMilliseconds(500);
        }, dns: dns);

        await SendAsync(engine.Submission, Message("alice@example.test", "rita@remote.test"), user: "alice@example.test");
        await WaitUntilAsync(() => engine.Host.Counters.Deferred.Total >= 1);
        Assert.Equal(1, engine.Host.Queue.Length);

        await using var remote = await TestEngine.StartAsync(RemoteSnapshot(), o => o.Mx.Port = remotePort);
        Assert.Single(await remote.WaitForInboxAsync("rita@remote.test", 1));
        await WaitUntilAsync(() => engine.Host.Queue.Length == 0);
        Assert.Empty(engine.Inbox("alice@example.test"));
    }

    [Fact]
    public async Task A_permanent_refusal_returns_a_DSN_to_the_sender()
    {
        await using var remote = await TestEngine.StartAsync(RemoteSnapshot());
        var dns = new FakeDns();
        dns.Answers["remote.test"] = new MailExchangers(["127.0.0.1"]);
        await using var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o => o.Queue.RemotePort = remote.Mx.Port, dns: dns);

        var message = Message("alice@example.test", "nobody@remote.test", subject: "will bounce");
        message.Cc.Add(MailboxAddress.Parse("rita@remote.test"));
        await SendAsync(engine.Submission, message, user: "alice@example.test");

        Assert.Single(await remote.WaitForInboxAsync("rita@remote.test", 1));
        var dsn = await MimeMessage.LoadAsync(Assert.Single(await engine.WaitForInboxAsync("alice@example.test", 1)));
        Assert.Equal("Undelivered Mail Returned to Sender", dsn.Subject);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        Assert.Equal("delivery-status", report.ReportType);
        var status = Assert.IsType<MessageDeliveryStatus>(report[1]);
        var recipient = status.StatusGroups[1];
        Assert.Equal("rfc822; nobody@remote.test", recipient["Final-Recipient"]);
        Assert.Equal("failed", recipient["Action"]);
        Assert.Equal("5.1.1", recipient["Status"]);
        Assert.Contains("550", recipient["Diagnostic-Code"], StringComparison.Ordinal);
        // rita was delivered: only nobody is reported (MimeKit may parse a trailing empty group).
        Assert.Equal(2, status.StatusGroups.Count(g => g.Count > 0));
        Assert.Contains("Subject: will bounce", await File.ReadAllTextAsync(engine.Inbox("alice@example.test")[0]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_that_cannot_be_delivered_in_time_is_returned_to_its_sender()
    {
        var dns = new FakeDns();
        dns.Answers["remote.test"] = new MailExchangers(["127.0.0.1"]);
        await using var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o =>
        {
            o.Queue.RemotePort = FreePort();
            o.Queue.MaxLifetime = TimeSpan.Zero;
        }, dns: dns);

        await SendAsync(engine.Submission, Message("alice@example.test", "rita@remote.test"), user: "alice@example.test");
        var dsn = await MimeMessage.LoadAsync(Assert.Single(await engine.WaitForInboxAsync("alice@example.test", 1)));
        var status = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(dsn.Body)[1]);
        Assert.Equal("5.4.7", status.StatusGroups[1]["Status"]);
        Assert.Contains("delivery time expired", status.StatusGroups[1]["Diagnostic-Code"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_message_from_the_null_sender_is_dropped_never_bounced_RFC_5321_6_1()
    {
        var root = Directory.CreateTempSubdirectory("engine").FullName;
        try
        {
            string queueId;
            await using (var stopped = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), root: root))
            {
                await stopped.Host.StopAsync(CancellationToken.None);
                // A bounce (null sender) for a remote address whose domain does not exist: a permanent failure.
                var spool = new Queue.Spool(stopped.Options.SpoolDirectory);
                queueId = Queue.Spool.NewQueueId();
                using var incoming = spool.Begin(new Queue.Envelope
                {
                    QueueId = queueId,
                    ReceivedAt = DateTimeOffset.UtcNow,
                    Sender = "",
                    Targets = [new("someone@nowhere.test", false, "someone@nowhere.test")],
                });
                incoming.Stream.Write("Subject: a bounce\r\n\r\nbody\r\n"u8);
                incoming.Commit();
            }

            await using var engine = await TestEngine.StartAsync(root: root);
            await WaitUntilAsync(() => engine.Host.Counters.Bounced.Total == 1 && engine.Host.Queue.Length == 0);
            Assert.Equal(0, engine.SpoolFiles);
            Assert.Empty(Directory.EnumerateFiles(engine.Options.MaildirRoot, "*", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Mail_left_in_the_spool_is_delivered_at_start_without_repeating_done_copies()
    {
        var root = Directory.CreateTempSubdirectory("engine").FullName;
        string queueId;
        await using (var stopped = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o => o.Mx.Enabled = o.Submission.Enabled = o.Submissions.Enabled = false, root: root))
        {
            await stopped.Host.StopAsync(CancellationToken.None);
            // A message queued before a crash, already delivered to alice but not yet to bob.
            var spool = new Queue.Spool(stopped.Options.SpoolDirectory);
            queueId = Queue.Spool.NewQueueId();
            using (var incoming = spool.Begin(new Queue.Envelope
            {
                QueueId = queueId,
                ReceivedAt = DateTimeOffset.UtcNow,
                Sender = "x@outside.test",
                Targets = [new("alice@example.test", true, "support@example.test"), new("bob@example.test", true, "support@example.test")],
            }))
            {
                incoming.Stream.Write("Subject: left over\r\n\r\nbody\r\n"u8);
                incoming.Commit();
            }

            spool.MarkDelivered(queueId, "alice@example.test");
        }

        await using var engine = await TestEngine.StartAsync(root: root);
        Assert.Equal(1, engine.Host.Status.AppliedVersion); // the snapshot came back from the state folder
        Assert.Single(await engine.WaitForInboxAsync("bob@example.test", 1));
        Assert.Empty(engine.Inbox("alice@example.test"));
        Assert.Equal(0, engine.Host.Queue.Length);
    }

    private static EngineSnapshot RemoteSnapshot() => new()
    {
        Version = 1,
        CompiledAt = DateTimeOffset.UtcNow,
        Domains = [new SnapshotDomain("remote.test", 10 * 1024 * 1024)],
        Mailboxes = [new SnapshotMailbox("rita@remote.test", TestEngine.PasswordHash, 100L * 1024 * 1024)],
        Policy = new SnapshotPolicy { TrustedNetworks = [] },
    };

    private static int FreePort() => TestEngine.FreePort();

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestEngine.DeliveryWait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not come true in 20 s.");
            await Task.Delay(25);
        }
    }
}
