using System.Text;

namespace MailEngine.Server.Tests;

/// <summary>
/// Input that once crashed or stalled the whole process, sent to an engine node in a child process:
/// a regression fails these tests instead of killing the test host.
/// </summary>
public sealed class HostileClientTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hostile").FullName;
    private EngineNodeProcess _node = default!;

    public async Task InitializeAsync()
    {
        _node = new EngineNodeProcess(_root, EngineNodeProcess.FreePort(), EngineNodeProcess.FreePort());
        await _node.StartAsync();
    }

    public Task DisposeAsync()
    {
        _node.Dispose();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_hundred_thousand_nested_parentheses_before_login_get_a_short_BAD_and_the_process_lives()
    {
        await using (var client = await NodeConnection.OpenAsync(_node.ImapPort))
        {
            Assert.StartsWith("* OK", await client.ReadLineAsync());
            // The reproduction: lines of '(' under the line limit joined by empty LITERAL+ literals, so that
            // no one line is over the limit while the nesting goes on across them.
            // Balanced, so that the command parses and NOOP's check for extra arguments renders the value.
            var attack = new StringBuilder("a NOOP ");
            attack.Append('(', 50_000).Append("{0+}\r\n").Append('(', 50_000).Append("{0+}\r\n");
            attack.Append(')', 50_000).Append("{0+}\r\n").Append(')', 50_000).Append("\r\n");
            await client.SendAsync(attack.ToString());
            var reply = await client.ReadUntilAsync(l => l.StartsWith("a ", StringComparison.Ordinal) || l.StartsWith("* BYE", StringComparison.Ordinal));
            Assert.True(_node.Running, "the node died:\n" + _node.Output);
            Assert.True(reply.Count == 1, string.Join("\n", reply) + "\n" + _node.Output);
            var last = reply[0];
            Assert.True(last.StartsWith("a BAD", StringComparison.Ordinal), last + "\n" + _node.Output);
            Assert.True(last.Length < 300, $"the error echoed {last.Length} characters");

            // The same connection goes on.
            await client.SendAsync("b NOOP\r\n");
            Assert.StartsWith("b OK", (await client.ReadUntilAsync(l => l.StartsWith("b ", StringComparison.Ordinal)))[^1]);
        }

        // And so does everyone else.
        await using var other = await NodeConnection.OpenAsync(_node.ImapPort);
        Assert.StartsWith("* OK", await other.ReadLineAsync());
    }

    [Fact]
    public async Task A_line_of_nesting_within_the_line_limit_is_refused_without_echoing_it()
    {
        await using var client = await NodeConnection.OpenAsync(_node.ImapPort);
        Assert.StartsWith("* OK", await client.ReadLineAsync());
        await client.SendAsync("a NOOP " + new string('(', 60_000) + "\r\n");
        var reply = await client.ReadUntilAsync(l => l.StartsWith("a ", StringComparison.Ordinal));
        Assert.Equal("a BAD Parentheses nested too deeply", reply[^1]);

        // Balanced but deep lists and a long argument are refused the same way, each briefly.
        await client.SendAsync("c NOOP " + new string('(', 32) + new string(')', 32) + " " + new string('x', 60_000) + "\r\n");
        var unexpected = (await client.ReadUntilAsync(l => l.StartsWith("c ", StringComparison.Ordinal)))[^1];
        Assert.StartsWith("c BAD Unexpected argument (((", unexpected);
        Assert.True(unexpected.Length < 300, $"the error echoed {unexpected.Length} characters");
        Assert.True(_node.Running, _node.Output);
    }

    [Fact]
    public async Task Literals_before_login_are_capped_in_size_and_number()
    {
        await using var client = await NodeConnection.OpenAsync(_node.ImapPort);
        Assert.StartsWith("* OK", await client.ReadLineAsync());

        // A synchronizing literal past the pre-login budget is refused before it is sent.
        await client.SendAsync("a LOGIN {134217728}\r\n");
        Assert.StartsWith("a NO [TOOBIG]", (await client.ReadUntilAsync(l => l.StartsWith("a ", StringComparison.Ordinal)))[^1]);

        // Several small ones that add up past it are refused too.
        await client.SendAsync("b LOGIN {5000+}\r\n" + new string('x', 5000) + " {5000}\r\n");
        Assert.StartsWith("b NO [TOOBIG]", (await client.ReadUntilAsync(l => l.StartsWith("b ", StringComparison.Ordinal)))[^1]);

        // A chain of empty LITERAL+ literals ends the session rather than growing one command.
        var chain = new StringBuilder("c NOOP");
        for (var i = 0; i < 10; i++) chain.Append(" x{0+}\r\n");
        await client.SendAsync(chain.Append("\r\n").ToString());
        var end = await client.ReadUntilAsync(l => l.StartsWith("c ", StringComparison.Ordinal) || l.StartsWith("* BYE", StringComparison.Ordinal));
        Assert.StartsWith("* BYE Too many literals", end[^1]);
        Assert.True(_node.Running, _node.Output);
    }
}
