using MailEngine.Hosting;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Hosting;

/// <summary>
/// The listeners open before the spam rules are compiled (issue #14 item 7): the compilation runs in the
/// background, a message that arrives meanwhile waits for it and is scanned, and past the bound it is
/// deferred with nothing kept. The compilation is held by the test, so no timing decides the outcome.
/// </summary>
public sealed class ColdStartTests
{
    private const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private static Task<TestEngine> StartHeldAsync(Task hold, TimeSpan? readyTimeout = null) =>
        TestEngine.StartAsync(TestEngine.StandardSnapshot(), o =>
        {
            o.Scanner.HoldCompilation = hold;
            o.Scanner.CacheDirectory = Directory.CreateTempSubdirectory("cold-cache").FullName; // nothing compiled before
            if (readyTimeout is { } t) o.Scanner.ReadyTimeout = t;
        });

    private static async Task<RawSmtpClient> SendGtubeAsync(TestEngine engine)
    {
        var client = await RawSmtpClient.ConnectAsync(engine.Host.Endpoints[MailEngine.Smtp.ListenerKind.Mx]);
        Assert.StartsWith("220 ", await client.ReadReplyAsync()); // the listener answers while the rules compile
        Assert.StartsWith("250", await client.CommandAsync("EHLO client.elsewhere.test"));
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<spammer@elsewhere.test>"));
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<alice@example.test>"));
        Assert.StartsWith("354", await client.CommandAsync("DATA"));
        await client.SendAsync($"From: spammer@elsewhere.test\r\nTo: alice@example.test\r\nSubject: test\r\n\r\n{Gtube}\r\n.\r\n");
        return client;
    }

    [Fact]
    public async Task The_engine_listens_while_the_rules_compile_and_a_message_sent_meanwhile_is_scanned()
    {
        var hold = new TaskCompletionSource();
        await using var engine = await StartHeldAsync(hold.Task);
        try
        {
            Assert.False(engine.Host.Scanner.Ready);
            var node = new InProcessEngineNode(engine.Host);
            Assert.Equal("compiling", node.Status().Scanner);
            Assert.Equal("compiling", (await node.ScannerAsync(CancellationToken.None)).State);

            await using var client = await SendGtubeAsync(engine);
            var reply = client.ReadReplyAsync();
            hold.SetResult(); // the compilation may start now; the message is already sent
            // Scanned, not waved through: GTUBE is refused as spam, and nothing was kept.
            Assert.StartsWith("550 5.7.1 Message refused as spam", await reply);
            Assert.True(engine.Host.Scanner.Ready);
            Assert.Equal("ready", node.Status().Scanner);
            Assert.Equal(0, engine.SpoolFiles);
        }
        finally
        {
            hold.TrySetResult();
        }
    }

    [Fact]
    public async Task Past_the_bound_the_message_is_deferred_and_nothing_is_kept()
    {
        var hold = new TaskCompletionSource();
        await using var engine = await StartHeldAsync(hold.Task, TimeSpan.FromMilliseconds(100));
        try
        {
            await using var client = await SendGtubeAsync(engine);
            Assert.StartsWith("451 4.3.0", await client.ReadReplyAsync());
            Assert.Equal(0, engine.SpoolFiles);
            Assert.Empty(engine.Inbox("alice@example.test"));
            // The session goes on: the client may try again in the same connection.
            Assert.StartsWith("250", await client.CommandAsync("RSET"));
        }
        finally
        {
            hold.TrySetResult();
        }
    }
}
