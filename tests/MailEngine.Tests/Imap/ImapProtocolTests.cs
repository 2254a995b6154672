using MailEngine.Tests.Support;

namespace MailEngine.Tests.Imap;

/// <summary>Bad input over a real connection: each gets the right tagged BAD/NO (or BYE) and other sessions go on.</summary>
public sealed class ImapProtocolTests : IAsyncLifetime
{
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), options =>
    {
        options.Imap.MaxLineBytes = 1024;
        options.Imap.MaxLiteralBytes = 4096;
        options.Imap.MaxBadCommands = 5;
    });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Before_TLS_login_is_disabled_and_STARTTLS_is_offered()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imap, tls: false);
        Assert.StartsWith("* OK [CAPABILITY IMAP4rev1", client.Greeting);
        Assert.Contains("LOGINDISABLED", client.Greeting);
        Assert.Contains("STARTTLS", client.Greeting);
        Assert.DoesNotContain("AUTH=PLAIN", client.Greeting);
        var reply = await client.CommandAsync("a1", $"LOGIN alice@example.test {TestEngine.Password}");
        Assert.StartsWith("a1 NO [PRIVACYREQUIRED]", reply[^1]);
        reply = await client.CommandAsync("a2", "AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABjb3JyZWN0LWhvcnNlLTc=");
        Assert.StartsWith("a2 NO [PRIVACYREQUIRED]", reply[^1]);
    }

    [Fact]
    public async Task Commands_in_the_wrong_state_and_unknown_commands_get_BAD()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        Assert.StartsWith("a1 BAD", (await client.CommandAsync("a1", "SELECT INBOX"))[^1]);
        Assert.StartsWith("a2 BAD", (await client.CommandAsync("a2", "FROBNICATE"))[^1]);
        await client.LoginAsync();
        Assert.StartsWith("a3 BAD", (await client.CommandAsync("a3", "FETCH 1 FLAGS"))[^1]);
        Assert.StartsWith("a4 BAD", (await client.CommandAsync("a4", "LOGIN x y"))[^1]);
        Assert.StartsWith("a5 NO [NONEXISTENT]", (await client.CommandAsync("a5", "SELECT Nowhere"))[^1]);
        Assert.StartsWith("a6 NO [CANNOT]", (await client.CommandAsync("a6", "DELETE INBOX"))[^1]);
        Assert.StartsWith("a7 NO [ALREADYEXISTS]", (await client.CommandAsync("a7", "CREATE Junk"))[^1]);
        Assert.StartsWith("a8 OK", (await client.CommandAsync("a8", "SELECT INBOX"))[^1]);
        Assert.StartsWith("a9 OK", (await client.CommandAsync("a9", "NOOP"))[^1]);
    }

    [Theory]
    [InlineData("FETCH 0 FLAGS")]
    [InlineData("FETCH 1:x FLAGS")]
    [InlineData("FETCH 5 FLAGS")]
    [InlineData("FETCH 1 (FLAGS")]
    [InlineData("FETCH 1 BODY[4.BOGUS]")]
    [InlineData("STORE 1 FLAGS (\\Bogus)")]
    [InlineData("SEARCH NOSUCHKEY")]
    [InlineData("SEARCH BEFORE 2024-01-01")]
    [InlineData("UID FROB 1")]
    [InlineData("\"quoted tag")]
    public async Task Invalid_arguments_get_a_tagged_BAD_and_change_nothing(string command)
    {
        await _engine.DeliverAsync("alice@example.test", "one");
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.LoginAsync();
        await client.CommandAsync("s", "SELECT INBOX");
        var reply = await client.CommandAsync("t1", command);
        Assert.StartsWith("t1 BAD ", reply[^1]);
        var flags = await client.CommandAsync("t2", "FETCH 1 FLAGS");
        Assert.Equal("* 1 FETCH (FLAGS (\\Recent))", flags[0]);
    }

    [Theory]
    [InlineData("SELECT \"\"")]
    [InlineData("EXAMINE \"\"")]
    [InlineData("STATUS \"\" (MESSAGES)")]
    [InlineData("APPEND \"\" {5+}\r\nhello")]
    [InlineData("DELETE \"\"")]
    [InlineData("CREATE \"\"")]
    [InlineData("RENAME \"\" Other")]
    [InlineData("RENAME Junk \"\"")]
    [InlineData("SELECT \"Junk//x\"")]
    [InlineData("GETQUOTAROOT \"\"")]
    public async Task The_empty_name_is_no_second_name_for_INBOX_in_any_command(string command)
    {
        await _engine.DeliverAsync("alice@example.test", "one");
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.LoginAsync();
        var reply = await client.CommandAsync("t1", command);
        Assert.StartsWith("t1 NO [CANNOT] Invalid folder name", reply[^1], StringComparison.Ordinal);
        // INBOX is as it was, and the session goes on.
        var status = await client.CommandAsync("t2", "STATUS INBOX (MESSAGES)");
        Assert.Equal("* STATUS \"INBOX\" (MESSAGES 1)", status[0]);
    }

    [Fact]
    public async Task Fetching_a_body_sets_Seen_and_says_so_but_a_peek_and_EXAMINE_do_not()
    {
        await _engine.DeliverAsync("alice@example.test", "read me", body: "Text.\r\n");
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.LoginAsync();
        await client.CommandAsync("e", "EXAMINE INBOX");
        Assert.DoesNotContain("\\Seen", (await client.CommandAsync("f1", "FETCH 1 BODY[TEXT]"))[0]);
        await client.CommandAsync("s", "SELECT INBOX");
        var peek = await client.CommandAsync("f2", "FETCH 1 BODY.PEEK[TEXT]");
        Assert.Equal("* 1 FETCH (BODY[TEXT] {7}", peek[0]);
        Assert.Equal("Text.", peek[1]);
        Assert.Equal(")", peek[2]);
        var read = await client.CommandAsync("f3", "FETCH 1 BODY[TEXT]<0.2>");
        Assert.Equal("* 1 FETCH (BODY[TEXT]<0> {2}", read[0]);
        Assert.Equal("Te FLAGS (\\Seen \\Recent))", read[1]);
        Assert.Equal("* 1 FETCH (FLAGS (\\Seen \\Recent))", (await client.CommandAsync("f4", "FETCH 1 FLAGS"))[0]);
    }

    [Fact]
    public async Task Search_with_an_unknown_charset_gets_BADCHARSET()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.LoginAsync();
        await client.CommandAsync("s", "SELECT INBOX");
        Assert.StartsWith("c1 NO [BADCHARSET (UTF-8 US-ASCII)]", (await client.CommandAsync("c1", "SEARCH CHARSET KOI8-R SUBJECT x"))[^1]);
        Assert.StartsWith("c2 OK", (await client.CommandAsync("c2", "SEARCH CHARSET UTF-8 SUBJECT x"))[^1]);
    }

    [Fact]
    public async Task An_overlong_line_gets_BAD_and_the_session_goes_on()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.SendAsync("x1 NOOP " + new string('a', 5000) + "\r\n");
        Assert.StartsWith("* BAD Line too long", await client.ReadLineAsync());
        Assert.StartsWith("x2 OK", (await client.CommandAsync("x2", "NOOP"))[^1]);
    }

    [Fact]
    public async Task A_synchronizing_literal_past_the_limit_is_refused_before_it_is_sent()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.LoginAsync();
        await client.SendAsync("b1 APPEND INBOX {5000}\r\n");
        Assert.StartsWith("b1 NO [TOOBIG]", await client.ReadLineAsync());
        Assert.StartsWith("b2 OK", (await client.CommandAsync("b2", "NOOP"))[^1]);
    }

    [Fact]
    public async Task A_LITERAL_plus_literal_past_the_limit_ends_the_session_with_BYE_and_others_go_on()
    {
        await using var other = await RawImapClient.ConnectAsync(_engine.Imaps);
        await other.LoginAsync();
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.LoginAsync();
        await client.SendAsync("b1 APPEND INBOX {5000+}\r\n");
        Assert.StartsWith("* BYE", await client.ReadLineAsync());
        Assert.Null(await client.ReadLineAsync());
        Assert.StartsWith("o1 OK", (await other.CommandAsync("o1", "NOOP"))[^1]);
    }

    [Fact]
    public async Task Literals_synchronizing_and_LITERAL_plus_carry_APPEND_and_LOGIN()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.SendAsync("l1 LOGIN {18}\r\n");
        Assert.StartsWith("+ ", await client.ReadLineAsync());
        await client.SendAsync($"alice@example.test {{{TestEngine.Password.Length}+}}\r\n{TestEngine.Password}\r\n");
        Assert.StartsWith("l1 OK", (await client.ReadUntilTaggedAsync("l1"))[^1]);
        var message = "Subject: literal\r\n\r\nbody\r\n";
        await client.SendAsync($"l2 APPEND INBOX (\\Seen) \" 5-Mar-2024 10:00:00 +0100\" {{{message.Length}+}}\r\n{message}\r\n");
        var reply = await client.ReadUntilTaggedAsync("l2");
        Assert.Matches(@"^l2 OK \[APPENDUID \d+ 1\]", reply[^1]);
        await client.CommandAsync("s", "SELECT INBOX");
        var fetch = await client.CommandAsync("f", "FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE)");
        Assert.Equal($"* 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE \"05-Mar-2024 09:00:00 +0000\" RFC822.SIZE {message.Length})", fetch[0]);
    }

    [Fact]
    public async Task Too_many_bad_commands_in_a_row_end_the_session()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        for (var i = 0; i < 4; i++) Assert.StartsWith($"z{i} BAD", (await client.CommandAsync($"z{i}", "BOGUS"))[^1]);
        await client.SendAsync("z5 BOGUS\r\n");
        Assert.StartsWith("z5 BAD", await client.ReadLineAsync());
        Assert.StartsWith("* BYE", await client.ReadLineAsync());
        Assert.Null(await client.ReadLineAsync());
    }

    [Fact]
    public async Task Authenticate_plain_with_a_continuation_and_cancel()
    {
        await using var client = await RawImapClient.ConnectAsync(_engine.Imaps);
        await client.SendAsync("p1 AUTHENTICATE PLAIN\r\n");
        Assert.StartsWith("+", await client.ReadLineAsync());
        await client.SendAsync("*\r\n");
        Assert.StartsWith("p1 BAD", await client.ReadLineAsync());
        await client.SendAsync("p2 AUTHENTICATE PLAIN\r\n");
        Assert.StartsWith("+", await client.ReadLineAsync());
        await client.SendAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0alice@example.test\0{TestEngine.Password}")) + "\r\n");
        Assert.StartsWith("p2 OK", (await client.ReadUntilTaggedAsync("p2"))[^1]);
    }

    [Fact]
    public async Task Uids_are_stable_and_ascending_and_UIDVALIDITY_survives_a_restart()
    {
        var root = Directory.CreateTempSubdirectory("imap-restart").FullName;
        try
        {
            string validity;
            await using (var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), root: root))
            {
                for (var i = 0; i < 3; i++) await engine.DeliverAsync("alice@example.test", $"m{i}");
                await using var client = await RawImapClient.ConnectAsync(engine.Imaps);
                await client.LoginAsync();
                var select = await client.CommandAsync("s", "SELECT INBOX");
                validity = select.Single(l => l.Contains("UIDVALIDITY", StringComparison.Ordinal));
                await client.CommandAsync("d", "UID STORE 3 +FLAGS (\\Deleted \\Flagged)");
                await client.CommandAsync("e", "EXPUNGE");
                await client.CommandAsync("f", "UID STORE 1 +FLAGS (\\Answered $Label1)");
            }

            await using (var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), root: root))
            {
                await engine.DeliverAsync("alice@example.test", "after restart");
                await using var client = await RawImapClient.ConnectAsync(engine.Imaps);
                await client.LoginAsync();
                var select = await client.CommandAsync("s", "SELECT INBOX");
                Assert.Contains(validity, select);
                var fetch = await client.CommandAsync("f", "FETCH 1:* (UID FLAGS)");
                Assert.Equal("* 1 FETCH (UID 1 FLAGS (\\Answered $Label1))", fetch[0]);
                Assert.Equal("* 2 FETCH (UID 2 FLAGS ())", fetch[1]);
                // UID 3 was expunged: the new message gets 4, never 3 again.
                Assert.Equal("* 3 FETCH (UID 4 FLAGS (\\Recent))", fetch[2]);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
