using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailEngine.Tests.Smtp;

/// <summary>Mail arriving at the MX listener, sent by MailKit over loopback.</summary>
public sealed class SmtpReceiveTests : IAsyncLifetime
{
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static MimeMessage Message(string to, string subject = "Hello", string body = "Hi there.\r\n.leading dot line\r\n")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@outside.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private async Task<SmtpClient> ConnectMxAsync()
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync(_engine.Mx.Address.ToString(), _engine.Mx.Port, SecureSocketOptions.None);
        return client;
    }

    [Fact]
    public async Task Mail_to_a_mailbox_lands_in_its_Maildir_with_trace_headers()
    {
        using var client = await ConnectMxAsync();
        await client.SendAsync(Message("Alice@Example.Test", "first"));
        await client.DisconnectAsync(true);

        var file = Assert.Single(await _engine.WaitForInboxAsync("alice@example.test", 1));
        Assert.Matches(@",S=\d+$", file);
        var stored = await File.ReadAllTextAsync(file);
        // Delivery's trace headers, the scanner's verdict for the domain, the inbound checks' results (RFC 8601),
        // then the message as received with our Received first.
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(stored,
            @"^Return-Path: <sender@outside\.test>\r\nDelivered-To: alice@example\.test\r\nX-Spam-Score: -?\d+\.\d\r\nX-Spam-Status: No, [^\r]*\r\n(?:\t[^\r]*\r\n)*"
            + @"Authentication-Results: mx\.example\.test;\r\n(?:\t[^\r]*\r\n)+Received: from "), stored);
        // The test's DNS knows nothing of outside.test: no SPF record, no signature, no DMARC record.
        Assert.Contains("\tspf=none (", stored, StringComparison.Ordinal);
        Assert.Contains("smtp.mailfrom=sender@outside.test;", stored, StringComparison.Ordinal);
        Assert.Contains("\tdkim=none", stored, StringComparison.Ordinal);
        Assert.Contains("\tdmarc=none (", stored, StringComparison.Ordinal);
        Assert.Contains("header.from=outside.test;\r\n", stored, StringComparison.Ordinal);
        Assert.Contains("\tarc=none (the message has no ARC sets)\r\n", stored, StringComparison.Ordinal);
        Assert.Contains("by mx.example.test with ESMTP id ", stored, StringComparison.Ordinal);
        Assert.Contains("Subject: first", stored, StringComparison.Ordinal);
        Assert.Contains("\r\n.leading dot line\r\n", stored, StringComparison.Ordinal);
        Assert.Equal(new FileInfo(file).Length, MailEngine.Store.MaildirStore.SizeFromName(Path.GetFileName(file)));
    }

    [Fact]
    public async Task A_group_delivers_to_every_member_by_full_address_the_seeds_bug()
    {
        using var client = await ConnectMxAsync();
        await client.SendAsync(Message("support@example.test", "to the group"));
        await client.DisconnectAsync(true);

        foreach (var member in new[] { "alice@example.test", "bob@example.test" })
        {
            var file = Assert.Single(await _engine.WaitForInboxAsync(member, 1));
            Assert.Contains($"Delivered-To: {member}\r\n", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_member_reached_through_two_addresses_gets_one_copy()
    {
        var message = Message("alice@example.test");
        message.Cc.Add(MailboxAddress.Parse("support@example.test"));
        using var client = await ConnectMxAsync();
        await client.SendAsync(message);
        await client.DisconnectAsync(true);

        Assert.Single(await _engine.WaitForInboxAsync("alice@example.test", 1));
        Assert.Single(await _engine.WaitForInboxAsync("bob@example.test", 1));
    }

    [Fact]
    public async Task A_subaddress_reaches_the_mailbox_RFC_5233()
    {
        using var client = await ConnectMxAsync();
        await client.SendAsync(Message("bob+lists@example.test"));
        await client.DisconnectAsync(true);
        Assert.Single(await _engine.WaitForInboxAsync("bob@example.test", 1));
    }

    [Theory]
    [InlineData("empty@example.test", 550, "5.1.1")]
    [InlineData("nobody@example.test", 550, "5.1.1")]
    [InlineData("carol@example.test", 550, "5.2.1")]
    [InlineData("someone@elsewhere.test", 554, "5.7.1")]
    public async Task Refused_recipients_get_the_right_reply_and_nothing_is_written(string recipient, int code, string enhanced)
    {
        using var client = await ConnectMxAsync();
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message(recipient)));
        Assert.Equal(code, (int)e.StatusCode);
        Assert.StartsWith(enhanced, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _engine.SpoolFiles);
        Assert.False(Directory.Exists(Path.Combine(_engine.Options.MaildirRoot, "elsewhere.test")));
    }

    [Fact]
    public async Task A_mailbox_over_quota_is_refused_at_RCPT_with_552_5_2_2()
    {
        // dave's quota is 2 KiB: the first copy (with its trace and Authentication-Results fields) takes more than half of it, so a second,
        // larger one (its SIZE declared by MailKit, RFC 1870) no longer fits.
        using (var client = await ConnectMxAsync())
        {
            await client.SendAsync(Message("dave@example.test", body: new string('x', 200)));
            await client.DisconnectAsync(true);
        }

        await _engine.WaitForInboxAsync("dave@example.test", 1);
        Assert.InRange(_engine.Host.Maildirs.Usage("dave@example.test"), 1025, 2047);
        using var again = await ConnectMxAsync();
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => again.SendAsync(Message("dave@example.test", body: new string('x', 1000))));
        Assert.Equal(552, (int)e.StatusCode);
        Assert.StartsWith("5.2.2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_refused_with_552_and_nothing_is_written()
    {
        using var client = await ConnectMxAsync();
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("alice@example.test", body: new string('y', 100 * 1024))));
        Assert.Equal(552, (int)e.StatusCode);
        Assert.Equal(0, _engine.SpoolFiles);
        Assert.Empty(_engine.Inbox("alice@example.test"));
    }

    [Fact]
    public async Task Many_messages_over_one_session_all_arrive()
    {
        using var client = await ConnectMxAsync();
        for (var i = 0; i < 20; i++) await client.SendAsync(Message("bob@example.test", $"message {i}"));
        await client.DisconnectAsync(true);
        Assert.Equal(20, (await _engine.WaitForInboxAsync("bob@example.test", 20)).Length);
    }
}
