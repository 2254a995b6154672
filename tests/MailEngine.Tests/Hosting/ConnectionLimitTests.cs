using MailEngine.Tests.Support;

namespace MailEngine.Tests.Hosting;

/// <summary>
/// How many connections a listener takes and how long a session may last: past each bound the
/// client gets the protocol's refusal and others are still served. Distinct clients come from
/// distinct loopback addresses (127.0.0.x).
/// </summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o =>
    {
        o.Connections.MaxPerListener = 4;
        o.Connections.MaxPerAddress = 2;
        o.Limits.CommandTimeout = TimeSpan.FromSeconds(2);
        o.Limits.MaxSessionDuration = TimeSpan.FromSeconds(6);
        o.Imap.LoginTimeout = TimeSpan.FromSeconds(2);
        o.Imap.LoginDeadline = TimeSpan.FromSeconds(6);
        o.Imap.MaxConnectionsPerUserAndAddress = 1;
    });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task<RawSmtpClient> GreetedAsync(string from)
    {
        var client = await RawSmtpClient.ConnectAsync(_engine.Mx, from: from);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(), StringComparison.Ordinal);
        return client;
    }

    [Fact]
    public async Task SMTP_connections_past_the_per_address_and_per_listener_caps_get_421_and_others_are_served()
    {
        var open = new List<RawSmtpClient> { await GreetedAsync("127.0.0.2"), await GreetedAsync("127.0.0.2") };
        try
        {
            await using (var third = await RawSmtpClient.ConnectAsync(_engine.Mx, from: "127.0.0.2"))
                Assert.StartsWith("421 4.7.0 mx.example.test Too many connections", await third.ReadReplyAsync(), StringComparison.Ordinal);

            // Another address is still served, up to the listener's cap of four.
            open.Add(await GreetedAsync("127.0.0.3"));
            open.Add(await GreetedAsync("127.0.0.4"));
            await using (var fifth = await RawSmtpClient.ConnectAsync(_engine.Mx, from: "127.0.0.5"))
                Assert.StartsWith("421 4.7.0", await fifth.ReadReplyAsync(), StringComparison.Ordinal);

            // The sessions already open are unaffected.
            Assert.StartsWith("250 ", await open[0].CommandAsync("NOOP"), StringComparison.Ordinal);

            // A closed session frees its place.
            Assert.StartsWith("221 ", await open[0].CommandAsync("QUIT"), StringComparison.Ordinal);
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            var reasons = _engine.Host.Counters.ConnectionsRefused.Values.ToDictionary(v => v.Value, v => v.Count);
            Assert.Equal(1, reasons["mx:address-full"]);
            Assert.Equal(1, reasons["mx:listener-full"]);
            while (true)
            {
                await using var again = await RawSmtpClient.ConnectAsync(_engine.Mx, from: "127.0.0.2");
                if ((await again.ReadReplyAsync()).StartsWith("220 ", StringComparison.Ordinal)) break;
                await Task.Delay(20); // until the server has seen the QUIT session end
            }
        }
        finally
        {
            foreach (var client in open) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task IMAP_connections_past_the_cap_get_BYE()
    {
        var open = new List<RawImapClient>();
        try
        {
            for (var i = 0; i < 2; i++) open.Add(await RawImapClient.ConnectAsync(_engine.Imap, tls: false, from: "127.0.0.6"));
            Assert.All(open, c => Assert.StartsWith("* OK", c.Greeting, StringComparison.Ordinal));
            await using var third = await RawImapClient.ConnectAsync(_engine.Imap, tls: false, from: "127.0.0.6");
            Assert.Equal("* BYE Too many connections, try again later", third.Greeting);
            Assert.Null(await third.ReadLineAsync());
        }
        finally
        {
            foreach (var client in open) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_client_dribbling_a_command_a_byte_at_a_time_is_let_go_at_the_command_timeout()
    {
        await using var client = await GreetedAsync("127.0.0.7");
        // The reply is read while the bytes go out (a reset after the close could drop it otherwise).
        var reply = client.ReadReplyAsync();
        // One byte every half second: each read is well within the 2 s timeout, the line is not.
        for (var i = 0; i < 40 && !reply.IsCompleted; i++)
        {
            try
            {
                await client.SendAsync("N");
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(reply, Task.Delay(500));
        }

        Assert.StartsWith("421 4.4.2", await reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_SMTP_session_ends_at_its_absolute_deadline()
    {
        await using var client = await GreetedAsync("127.0.0.8");
        var last = "";
        for (var i = 0; i < 100; i++)
        {
            last = await client.CommandAsync("NOOP");
            if (!last.StartsWith("250 ", StringComparison.Ordinal)) break;
            await Task.Delay(100);
        }

        Assert.StartsWith("421 4.4.2", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_IMAP_client_that_does_not_log_in_is_let_go_and_one_that_does_is_not()
    {
        await using var silent = await RawImapClient.ConnectAsync(_engine.Imap, tls: false, from: "127.0.0.9");
        Assert.StartsWith("* BYE Autologout", await silent.ReadLineAsync(), StringComparison.Ordinal);

        // Busy but never logged in: the login deadline ends it.
        await using var chatty = await RawImapClient.ConnectAsync(_engine.Imaps, from: "127.0.0.9");
        var last = "";
        for (var i = 0; i < 100; i++)
        {
            var reply = await chatty.CommandAsync("n" + i, "NOOP");
            last = reply.Count > 0 ? reply[^1] : "";
            if (!last.StartsWith("n" + i + " OK", StringComparison.Ordinal)) break;
            await Task.Delay(100);
        }

        Assert.StartsWith("* BYE Autologout", last, StringComparison.Ordinal);

        // Logged in, the same pace goes on past the login deadline.
        await using var user = await RawImapClient.ConnectAsync(_engine.Imaps, from: "127.0.0.10");
        await user.LoginAsync();
        var until = DateTime.UtcNow.AddSeconds(5);
        var n = 0;
        while (DateTime.UtcNow < until)
        {
            Assert.StartsWith($"u{n} OK", (await user.CommandAsync($"u{n}", "NOOP"))[^1], StringComparison.Ordinal);
            n++;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task One_user_from_one_address_gets_a_limited_number_of_IMAP_sessions()
    {
        // One session per user and address here (10 by default); the connection cap per address is 2.
        var first = await RawImapClient.ConnectAsync(_engine.Imaps, from: "127.0.0.11");
        await first.LoginAsync("bob@example.test");
        await using (var elsewhere = await RawImapClient.ConnectAsync(_engine.Imaps, from: "127.0.0.12"))
            await elsewhere.LoginAsync("bob@example.test");
        await using var second = await RawImapClient.ConnectAsync(_engine.Imaps, from: "127.0.0.11");
        Assert.StartsWith("L1 NO [LIMIT]", (await second.CommandAsync("L1", $"LOGIN bob@example.test {TestEngine.Password}"))[^1], StringComparison.Ordinal);
        // Another user from the same address is not affected.
        await second.LoginAsync("alice@example.test");

        // Once the session logs out, the place is free again.
        Assert.StartsWith("z OK", (await first.CommandAsync("z", "LOGOUT"))[^1], StringComparison.Ordinal);
        await first.DisposeAsync();
        // Until the server has seen the first session end (its connection place frees up then too:
        // until it does, a third connection from the address is closed before the TLS handshake).
        while (true)
        {
            try
            {
                await using var again = await RawImapClient.ConnectAsync(_engine.Imaps, from: "127.0.0.11");
                if ((await again.CommandAsync("L1", $"LOGIN bob@example.test {TestEngine.Password}"))[^1].StartsWith("L1 OK", StringComparison.Ordinal)) break;
            }
            catch (IOException)
            {
            }

            await Task.Delay(20);
        }
    }
}
