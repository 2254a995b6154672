using MailEngine.Contracts;
using MailEngine.Dns;
using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailEngine.Tests.Delivery;

/// <summary>
/// The queue as the console's queue view sees it (IEngineNode.QueueAsync/QueueActionAsync): a message
/// deferred by an exchanger that refuses connections, with its attempts and last reply; retried,
/// bounced with a DSN, deleted.
/// </summary>
public sealed class QueueOperationsTests
{
    private static async Task SendAsync(TestEngine engine, string subject, string to = "rita@remote.test")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@example.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Queued for a while.\r\n" };
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync(engine.Submission.Address.ToString(), engine.Submission.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync("alice@example.test", TestEngine.Password);
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    /// <summary>An engine whose remote exchanger refuses connections: every remote copy is deferred, and retried only in an hour.</summary>
    private static Task<TestEngine> StartAsync()
    {
        var dns = new FakeDns();
        dns.Answers["remote.test"] = new MailExchangers(["127.0.0.1"]);
        return TestEngine.StartAsync(TestEngine.StandardSnapshot(), o =>
        {
            o.Queue.RemotePort = TestEngine.FreePort();
            o.Queue.FirstRetry = TimeSpan.FromHours(1);
        }, dns: dns);
    }

    private static async Task<QueuedMessage> WaitForDeferredAsync(global::MailEngine.Hosting.InProcessEngineNode node, int attempts)
    {
        var deadline = DateTime.UtcNow + TestEngine.DeliveryWait;
        while (DateTime.UtcNow < deadline)
        {
            var queued = await node.QueueAsync(CancellationToken.None);
            if (queued.SingleOrDefault(m => m.Attempts >= attempts && m.NextAttemptAt is not null) is { } deferred) return deferred;
            await Task.Delay(25);
        }

        throw new TimeoutException($"no message deferred {attempts} time(s); the queue has {string.Join(", ", await node.QueueAsync(CancellationToken.None))}");
    }

    [Fact]
    public async Task A_deferred_message_shows_its_attempts_and_reply_and_a_retry_tries_it_at_once()
    {
        await using var engine = await StartAsync();
        var node = new global::MailEngine.Hosting.InProcessEngineNode(engine.Host);
        await SendAsync(engine, "deferred");

        var deferred = await WaitForDeferredAsync(node, 1);
        Assert.Equal("alice@example.test", deferred.Sender);
        var recipient = Assert.Single(deferred.Recipients);
        Assert.Equal(("rita@remote.test", false, false), (recipient.Address, recipient.Local, recipient.Delivered));
        Assert.False(string.IsNullOrEmpty(recipient.LastReply));
        Assert.True(deferred.NextAttemptAt > DateTimeOffset.UtcNow.AddMinutes(50), $"next attempt {deferred.NextAttemptAt}");
        Assert.True(deferred.Size > 0);

        Assert.True((await node.QueueActionAsync(deferred.QueueId, QueueAction.Retry, CancellationToken.None)).Done);
        var again = await WaitForDeferredAsync(node, 2);
        Assert.Equal(deferred.QueueId, again.QueueId);
    }

    [Fact]
    public async Task A_bounced_message_leaves_the_queue_and_its_sender_gets_a_DSN_and_a_deleted_one_tells_nobody()
    {
        await using var engine = await StartAsync();
        var node = new global::MailEngine.Hosting.InProcessEngineNode(engine.Host);
        await SendAsync(engine, "to bounce");
        var first = await WaitForDeferredAsync(node, 1);

        Assert.True((await node.QueueActionAsync(first.QueueId, QueueAction.Bounce, CancellationToken.None)).Done);
        var dsn = await MimeMessage.LoadAsync(Assert.Single(await engine.WaitForInboxAsync("alice@example.test", 1)));
        var status = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(dsn.Body)[1]);
        Assert.Equal("5.3.0", status.StatusGroups[1]["Status"]);
        Assert.Contains("removed from the queue by the administrator", status.StatusGroups[1]["Diagnostic-Code"], StringComparison.Ordinal);
        Assert.DoesNotContain(await node.QueueAsync(CancellationToken.None), m => m.QueueId == first.QueueId);

        await SendAsync(engine, "to delete");
        var second = await WaitForDeferredAsync(node, 1);
        Assert.True((await node.QueueActionAsync(second.QueueId, QueueAction.Delete, CancellationToken.None)).Done);
        Assert.Empty(await node.QueueAsync(CancellationToken.None));
        Assert.Equal(0, engine.Host.Queue.Length);
        // Only the first message's report: a delete tells nobody.
        Assert.Single(engine.Inbox("alice@example.test"));

        var gone = await node.QueueActionAsync(second.QueueId, QueueAction.Retry, CancellationToken.None);
        Assert.False(gone.Done);
        Assert.Contains("not in the queue", gone.Reason, StringComparison.Ordinal);
    }
}
