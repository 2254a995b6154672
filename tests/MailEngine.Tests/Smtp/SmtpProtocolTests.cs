using MailEngine.Tests.Support;

namespace MailEngine.Tests.Smtp;

/// <summary>The protocol edges, byte by byte: replies, limits and what is refused.</summary>
public sealed class SmtpProtocolTests : IAsyncLifetime
{
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o =>
    {
        o.Limits.MaxBadCommands = 5;
        o.Limits.MaxCommandLineBytes = 512;
        o.Limits.MaxDataLineBytes = 1000;
        o.Limits.CommandTimeout = TimeSpan.FromSeconds(2);
        o.Limits.DataTimeout = TimeSpan.FromSeconds(2);
    });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task<RawSmtpClient> GreetedAsync()
    {
        var client = await RawSmtpClient.ConnectAsync(_engine.Mx);
        Assert.StartsWith("220 mx.example.test ESMTP", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250-mx.example.test", await client.CommandAsync("EHLO client.test"), StringComparison.Ordinal);
        return client;
    }

    [Fact]
    public async Task Probing_for_recipients_is_slowed_and_then_ends_the_session()
    {
        await using var client = await GreetedAsync();
        Assert.StartsWith("250 ", await client.CommandAsync("MAIL FROM:<probe@outside.test>"), StringComparison.Ordinal);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // MaxBadCommands is 5 here: the fifth refusal is followed by 421 and the end of the session.
        for (var i = 0; i < 5; i++)
            Assert.StartsWith("550 5.1.1", await client.CommandAsync($"RCPT TO:<guess{i}@example.test>"), StringComparison.Ordinal);
        Assert.StartsWith("421 4.7.0 mx.example.test Too many errors", await client.ReadReplyAsync(), StringComparison.Ordinal);
        // The fourth and fifth refusals waited 1 and 2 x 10 ms. A lower bound holds on any machine, less the
        // timer's granularity: Task.Delay counts whole milliseconds of Environment.TickCount64, so each
        // delay can end up to a millisecond before its time by the Stopwatch (seen: 28.8 ms for 30).
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(30 - 2 * 1), clock.Elapsed.ToString());
        Assert.Equal("", await client.ReadReplyAsync());
    }

    [Theory]
    [InlineData("EHLO client\0.test")]
    [InlineData("HELO a\u001b[31mred")]
    [InlineData("MAIL FROM:<a@b.test>\0")]
    [InlineData("NOOP \u007f")]
    public async Task Control_characters_in_a_command_are_refused_and_never_echoed(string command)
    {
        await using var client = await GreetedAsync();
        var reply = await client.CommandAsync(command);
        Assert.Equal("501 5.5.2 Control characters are not allowed in commands", reply);
    }

    [Fact]
    public async Task A_long_EHLO_name_or_parameter_is_quoted_only_in_part()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_engine.Mx);
        await client.ReadReplyAsync();
        var name = new string('h', 400);
        var ehlo = await client.CommandAsync("EHLO " + name);
        Assert.StartsWith("250-mx.example.test Hello " + name[..64] + "...\n", ehlo, StringComparison.Ordinal);
        var mail = await client.CommandAsync("MAIL FROM:<a@b.test> " + new string('p', 300) + "=1");
        Assert.Equal("555 5.5.4 Unsupported parameter " + new string('p', 64) + "...", mail);
    }

    [Fact]
    public async Task EHLO_lists_the_extensions_and_no_AUTH_on_the_MX_port()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_engine.Mx);
        await client.ReadReplyAsync();
        var ehlo = await client.CommandAsync("EHLO client.test");
        foreach (var extension in new[] { "250-SIZE 65536", "250-8BITMIME", "250-PIPELINING", "250-ENHANCEDSTATUSCODES", "250-SMTPUTF8", "250 STARTTLS" })
            Assert.Contains(extension, ehlo, StringComparison.Ordinal);
        Assert.DoesNotContain("AUTH", ehlo, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("VRFY alice@example.test", "252 2.5.0")]
    [InlineData("NOOP", "250 2.0.0")]
    [InlineData("RSET", "250 2.0.0")]
    [InlineData("FROB", "500 5.5.2")]
    [InlineData("RCPT TO:<alice@example.test>", "503 5.5.1")]
    [InlineData("DATA", "503 5.5.1")]
    [InlineData("MAIL FROM:alice@example.test", "501 5.5.4")]
    [InlineData("MAIL FROM:<not an address>", "501 5.1.3")]
    [InlineData("MAIL FROM:<a@b.test> SIZE=99999999", "552 5.3.4")]
    [InlineData("MAIL FROM:<a@b.test> BODY=BINARYMIME", "555 5.5.4")]
    [InlineData("MAIL FROM:<a@b.test> FROB=1", "555 5.5.4")]
    [InlineData("MAIL FROM:<jörg@b.test>", "553 5.6.7")]
    [InlineData("AUTH PLAIN AGFsaWNlAHB3", "502 5.5.1")]
    public async Task Each_command_gets_the_reply_the_RFCs_give(string command, string expected)
    {
        await using var client = await GreetedAsync();
        Assert.StartsWith(expected, await client.CommandAsync(command), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MAIL_before_EHLO_and_a_nested_MAIL_are_bad_sequences()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_engine.Mx);
        await client.ReadReplyAsync();
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@b.test>"), StringComparison.Ordinal);
        await client.CommandAsync("HELO client.test");
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<>"), StringComparison.Ordinal);
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@b.test>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_UTF8_address_is_accepted_with_SMTPUTF8_RFC_6531()
    {
        await using var client = await GreetedAsync();
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<jörg@b.test> SMTPUTF8"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overlong_command_line_gets_500_and_the_session_goes_on()
    {
        await using var client = await GreetedAsync();
        Assert.StartsWith("500 5.5.2 Line too long", await client.CommandAsync("NOOP " + new string('x', 600)), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_bad_commands_close_the_session_with_421()
    {
        await using var client = await GreetedAsync();
        for (var i = 0; i < 5; i++) Assert.StartsWith("500", await client.CommandAsync("BOGUS"), StringComparison.Ordinal);
        Assert.StartsWith("421 4.7.0", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.Equal("", await client.ReadReplyAsync());
    }

    [Fact]
    public async Task An_idle_client_is_dropped_with_421_after_the_command_timeout()
    {
        await using var client = await GreetedAsync();
        Assert.StartsWith("421 4.4.2", await client.ReadReplyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_stops_sending_in_the_middle_of_DATA_is_dropped_and_nothing_is_kept()
    {
        await using var client = await GreetedAsync();
        await client.CommandAsync("MAIL FROM:<a@b.test>");
        await client.CommandAsync("RCPT TO:<alice@example.test>");
        await client.CommandAsync("DATA");
        await client.SendAsync("Subject: half a message\r\n\r\nand then silence");
        Assert.StartsWith("421 4.4.2", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.Equal(0, _engine.SpoolFiles);
    }

    [Fact]
    public async Task More_than_the_recipient_limit_gets_452_4_5_3()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(policy: new MailEngine.Contracts.SnapshotPolicy { TrustedNetworks = [], MaxRecipientsPerMessage = 2 }));
        await using var client = await RawSmtpClient.ConnectAsync(engine.Mx);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@b.test>");
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<alice@example.test>"), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<bob@example.test>"), StringComparison.Ordinal);
        Assert.StartsWith("452 4.5.3", await client.CommandAsync("RCPT TO:<support@example.test>"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Subject: x\r\n\r\nbare LF here\nand on\r\n.\r\n")]
    [InlineData("Subject: x\r\n\r\nbare CR here\rand on\r\n.\r\n")]
    [InlineData("Subject: x\r\n\r\nsmuggled\n.\r\nMAIL FROM:<evil@b.test>\r\n.\r\n")]
    public async Task Bare_LF_or_CR_in_DATA_is_refused_and_the_session_closed_SMTP_smuggling(string data)
    {
        await using var client = await GreetedAsync();
        await client.CommandAsync("MAIL FROM:<a@b.test>");
        await client.CommandAsync("RCPT TO:<alice@example.test>");
        Assert.StartsWith("354", await client.CommandAsync("DATA"), StringComparison.Ordinal);
        await client.SendAsync(data);
        Assert.StartsWith("521 5.5.2", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.Equal("", await client.ReadReplyAsync());
        Assert.Equal(0, _engine.SpoolFiles);
        Assert.Empty(_engine.Inbox("alice@example.test"));
    }

    [Fact]
    public async Task An_overlong_line_in_DATA_is_refused_after_the_message_and_nothing_is_written()
    {
        await using var client = await GreetedAsync();
        await client.CommandAsync("MAIL FROM:<a@b.test>");
        await client.CommandAsync("RCPT TO:<alice@example.test>");
        await client.CommandAsync("DATA");
        await client.SendAsync($"Subject: x\r\n\r\n{new string('z', 5000)}\r\nend\r\n.\r\n");
        Assert.StartsWith("500 5.5.2", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
        Assert.Equal(0, _engine.SpoolFiles);
    }

    [Fact]
    public async Task Pipelined_commands_are_answered_in_order_RFC_2920()
    {
        await using var client = await GreetedAsync();
        await client.SendAsync("MAIL FROM:<a@b.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nDATA\r\n");
        Assert.StartsWith("250 2.1.0", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("550 5.1.1", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("354", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0 Ok: queued as ", await client.CommandAsync("Subject: pipelined\r\n\r\nbody\r\n."), StringComparison.Ordinal);
        Assert.Single(await _engine.WaitForInboxAsync("alice@example.test", 1));
    }

    [Fact]
    public async Task Too_many_Received_headers_is_a_loop_and_refused()
    {
        await using var client = await GreetedAsync();
        await client.CommandAsync("MAIL FROM:<a@b.test>");
        await client.CommandAsync("RCPT TO:<alice@example.test>");
        await client.CommandAsync("DATA");
        var hops = string.Concat(Enumerable.Repeat("Received: from a by b; Mon, 1 Jan 2026 00:00:00 +0000\r\n", 51));
        await client.SendAsync(hops + "Subject: loop\r\n\r\nbody\r\n.\r\n");
        Assert.StartsWith("554 5.4.6", await client.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.Equal(0, _engine.SpoolFiles);
    }

    [Fact]
    public async Task Commands_pipelined_before_STARTTLS_completes_are_discarded_CVE_2011_0411()
    {
        await using var client = await GreetedAsync();
        await client.SendAsync("STARTTLS\r\nMAIL FROM:<injected@b.test>\r\n");
        Assert.StartsWith("220 2.0.0", await client.ReadReplyAsync(), StringComparison.Ordinal);
        await client.UpgradeAsync();
        // Had the injected MAIL been read as if it came over TLS, its reply would come first.
        Assert.StartsWith("250-mx.example.test", await client.CommandAsync("EHLO client.test"), StringComparison.Ordinal);
        Assert.StartsWith("250 2.0.0", await client.CommandAsync("NOOP"), StringComparison.Ordinal);
    }
}
