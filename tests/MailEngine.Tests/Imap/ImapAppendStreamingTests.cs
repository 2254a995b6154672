using System.Text;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Imap;

/// <summary>A large APPEND goes to disk as it arrives, not into memory; a refused one leaves nothing behind.</summary>
public sealed class ImapAppendStreamingTests : IAsyncLifetime
{
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private string Tmp => Path.Combine(_engine.Host.Maildirs.MaildirPath("alice@example.test"), "tmp");

    private static byte[] Message(int bodyBytes) =>
        Encoding.ASCII.GetBytes("From: a@example.test\r\nSubject: big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 78) + "\r\n", bodyBytes / 80)));

    [Fact]
    public async Task A_large_literal_is_in_a_file_in_tmp_while_it_arrives_and_in_cur_after()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.LoginAsync();
        var message = Message(2 * 1024 * 1024);
        await client.SendAsync($"a1 APPEND INBOX (\\Seen) {{{message.Length}}}\r\n");
        Assert.StartsWith("+ ", await client.ReadLineAsync(), StringComparison.Ordinal);

        // Half of it sent: the server has been writing it to a file of its own.
        var half = message.Length / 2;
        await client.SendAsync(message[..half]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(Directory.Exists(Tmp) && Directory.EnumerateFiles(Tmp).Any(f => new FileInfo(f).Length > 0)))
        {
            Assert.True(DateTime.UtcNow < deadline, "no partial file in tmp/ while the literal arrives");
            await Task.Delay(20);
        }

        await client.SendAsync(message[half..]);
        await client.SendAsync("\r\n");
        Assert.StartsWith("a1 OK [APPENDUID", (await client.ReadUntilTaggedAsync("a1"))[^1], StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(Tmp));

        var cur = Path.Combine(_engine.Host.Maildirs.MaildirPath("alice@example.test"), "cur");
        var stored = Assert.Single(Directory.EnumerateFiles(cur));
        Assert.Equal(message, await File.ReadAllBytesAsync(stored));
        Assert.EndsWith(":2,S", stored, StringComparison.Ordinal);
        var fetched = await client.CommandAsync("a2", "STATUS INBOX (MESSAGES SIZE)");
        Assert.Contains($"SIZE {message.Length}", fetched[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_large_APPEND_leaves_no_file()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.LoginAsync();
        var message = Message(200 * 1024);
        await client.SendAsync($"b1 APPEND Nowhere {{{message.Length}+}}\r\n");
        await client.SendAsync(message);
        await client.SendAsync("\r\n");
        Assert.StartsWith("b1 NO [TRYCREATE]", (await client.ReadUntilTaggedAsync("b1"))[^1], StringComparison.Ordinal);
        await client.CommandAsync("b2", "NOOP");
        Assert.Empty(Directory.Exists(Tmp) ? Directory.EnumerateFiles(Tmp) : []);
    }
}
