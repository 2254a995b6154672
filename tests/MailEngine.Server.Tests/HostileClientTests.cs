using System.Text;
using MailEngine.Auth;
using MailEngine.Contracts;
using MailEngine.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailEngine.Server.Tests;

/// <summary>
/// Input that once crashed or stalled the whole process, sent to an engine node in a child process:
/// a regression fails these tests instead of killing the test host.
/// </summary>
public sealed class HostileClientTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hostile").FullName;
    private EngineNodeProcess _node = default!;

    public async Task InitializeAsync()
    {
        // burn@ has a saved filter with the reproduction of the Sieve CPU burn: 100 hostile :matches keys.
        var keys = string.Join(", ", Enumerable.Range(0, 100).Select(i => $"\"*a*a*a*a*a*a*a*{i}b\""));
        EngineNodeProcess.SnapshotStore(_root).Apply(new EngineSnapshot
        {
            Version = 1,
            CompiledAt = DateTimeOffset.UtcNow,
            Domains = [new SnapshotDomain("hostile.test", 10 * 1024 * 1024)],
            Mailboxes = [new SnapshotMailbox("burn@hostile.test", MailPasswordHasher.TimingDummyHash, 100L * 1024 * 1024, SieveScript: $"if header :matches \"x-a\" [{keys}] {{ discard; }}")],
            Policy = new SnapshotPolicy { TrustedNetworks = [] },
        });
        _node = new EngineNodeProcess(_root, EngineNodeProcess.FreePort(), EngineNodeProcess.FreePort());
        await _node.StartAsync();
        await _node.WaitForScannerAsync(); // its CPU is measured
    }

    [Fact]
    public async Task A_filter_of_hostile_matches_keys_is_stopped_by_its_run_budget_and_the_message_is_kept()
    {
        var before = _node.CpuTime;
        await using (var smtp = await NodeConnection.OpenAsync(_node.MxPort))
        {
            bool Final(string l) => l.Length >= 4 && l[3] == ' ';
            Assert.StartsWith("220", (await smtp.ReadUntilAsync(Final))[^1]);
            await smtp.SendAsync("EHLO client.test\r\n");
            await smtp.ReadUntilAsync(Final);
            await smtp.SendAsync("MAIL FROM:<someone@outside.test>\r\n");
            Assert.StartsWith("250", (await smtp.ReadUntilAsync(Final))[^1]);
            await smtp.SendAsync("RCPT TO:<burn@hostile.test>\r\n");
            Assert.StartsWith("250", (await smtp.ReadUntilAsync(Final))[^1]);
            await smtp.SendAsync("DATA\r\n");
            Assert.StartsWith("354", (await smtp.ReadUntilAsync(Final))[^1]);
            var headers = string.Concat(Enumerable.Range(0, 5).Select(_ => "X-A: " + new string('a', 4000) + "\r\n"));
            await smtp.SendAsync(headers + "From: someone@outside.test\r\nSubject: burn\r\nMessage-Id: <burn@outside.test>\r\n\r\nbody\r\n.\r\n");
            var queued = (await smtp.ReadUntilAsync(Final))[^1];
            Assert.True(queued.StartsWith("250", StringComparison.Ordinal), queued + "\n" + _node.Output);
        }

        // Kept in INBOX (the run ended as an error, RFC 5228 2.10.6), not discarded.
        var inbox = Path.Combine(_root, "mail", "hostile.test", "burn", "Maildir", "new");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(Directory.Exists(inbox) && Directory.EnumerateFiles(inbox).Any()))
        {
            Assert.True(DateTime.UtcNow < deadline, "the message was not delivered:\n" + _node.Output);
            await Task.Delay(50);
        }

        Assert.Contains("Sieve user script of burn@hostile.test failed: the script ran", _node.Output, StringComparison.Ordinal);
        // Two runs (the check at DATA and the delivery), each stopped by its budget (1 s at the most):
        // far from the 14 CPU-seconds each one took before. CPU time, not wall time, so a loaded machine
        // does not change it much.
        var spent = _node.CpuTime - before;
        output.WriteLine($"the hostile filter cost the node {spent.TotalSeconds:0.00} CPU-seconds for the DATA check and the delivery together");
        Assert.True(spent < TimeSpan.FromSeconds(8), $"the node spent {spent.TotalSeconds:0.0} CPU-seconds");
    }

    public Task DisposeAsync()
    {
        _node.Dispose();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Sixty_thousand_nested_parentheses_before_login_get_a_short_BAD_and_the_process_lives()
    {
        await using (var client = await NodeConnection.OpenAsync(_node.ImapPort))
        {
            Assert.StartsWith("* OK", await client.ReadLineAsync());
            // The reproduction: lines of '(' under the line limit joined by empty LITERAL+ literals, so that
            // no one line is over the limit while the nesting goes on across them.
            // Balanced, so that the command parses and NOOP's check for extra arguments renders the value.
            var attack = new StringBuilder("a NOOP ");
            // 60,000 levels: within the bound on one command's lines (2 x 64 KiB), so that the command is
            // parsed and refused for its nesting rather than for its length.
            attack.Append('(', 30_000).Append("{0+}\r\n").Append('(', 30_000).Append("{0+}\r\n");
            attack.Append(')', 30_000).Append("{0+}\r\n").Append(')', 30_000).Append("\r\n");
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

        // Past the bound on a command's lines the session ends instead (and the process lives).
        await using (var client = await NodeConnection.OpenAsync(_node.ImapPort))
        {
            Assert.StartsWith("* OK", await client.ReadLineAsync());
            var attack = new StringBuilder("a NOOP ");
            for (var i = 0; i < 4; i++) attack.Append('(', 50_000).Append("{0+}\r\n");
            await client.SendAsync(attack.Append("\r\n").ToString());
            Assert.Equal("* BYE Command too long", await client.ReadLineAsync());
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
