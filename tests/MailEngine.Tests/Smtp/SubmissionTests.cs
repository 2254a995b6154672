using System.Security.Authentication;
using AuthenticationException = MailKit.Security.AuthenticationException;
using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailEngine.Tests.Smtp;

/// <summary>Submission (587 with STARTTLS, 465 with implicit TLS): AUTH first, then only the user's own addresses.</summary>
public sealed class SubmissionTests : IAsyncLifetime
{
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task<SmtpClient> ConnectAsync(bool implicitTls = false)
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 };
        var endpoint = implicitTls ? _engine.Submissions : _engine.Submission;
        await client.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, implicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls);
        return client;
    }

    private static MimeMessage Message(string from, string to)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "submitted";
        message.Body = new TextPart("plain") { Text = "From a user.\r\n" };
        return message;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_authenticated_user_submits_mail_for_a_local_recipient(bool implicitTls)
    {
        using var client = await ConnectAsync(implicitTls);
        Assert.True(client.IsSecure);
        Assert.True(client.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        Assert.Contains("PLAIN", client.AuthenticationMechanisms);
        await client.AuthenticateAsync("alice@example.test", TestEngine.Password);
        await client.SendAsync(Message("alice@example.test", "bob@example.test"));
        await client.DisconnectAsync(true);

        var stored = await File.ReadAllTextAsync(Assert.Single(await _engine.WaitForInboxAsync("bob@example.test", 1)));
        Assert.Contains("with ESMTPSA id", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LOGIN_works_as_well_as_PLAIN()
    {
        using var client = await ConnectAsync();
        client.AuthenticationMechanisms.Remove("PLAIN");
        await client.AuthenticateAsync("bob@example.test", TestEngine.Password);
        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task A_user_may_send_as_a_group_they_belong_to_but_not_as_someone_else()
    {
        using var client = await ConnectAsync();
        await client.AuthenticateAsync("alice@example.test", TestEngine.Password);
        await client.SendAsync(Message("support@example.test", "bob@example.test"));

        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("bob@example.test", "alice@example.test")));
        Assert.Equal(553, (int)e.StatusCode);
        Assert.StartsWith("5.7.1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("From", "\"The CEO\" <ceo@example.test>")]
    [InlineData("From", "alice@example.test, bob@example.test")]
    [InlineData("Sender", "bob@example.test")]
    public async Task A_From_or_Sender_header_the_user_may_not_send_as_is_refused_with_553_naming_it(string header, string value)
    {
        using var client = await ConnectAsync();
        await client.AuthenticateAsync("alice@example.test", TestEngine.Password);
        // The envelope sender is alice's own: only the header is forged.
        var message = Message("alice@example.test", "bob@example.test");
        message.Headers.Replace(header, value);
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(message, MailboxAddress.Parse("alice@example.test"), [MailboxAddress.Parse("bob@example.test")]));
        Assert.Equal(553, (int)e.StatusCode);
        Assert.StartsWith($"5.7.1 {header}: header address <", e.Message, StringComparison.Ordinal);
        Assert.Contains("not owned by alice@example.test", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _engine.SpoolFiles);

        // Her own address and a group she is in, with display names, are fine.
        var own = Message("alice@example.test", "bob@example.test");
        own.From.Clear();
        own.From.Add(new MailboxAddress("Alice", "alice@example.test"));
        own.Sender = new MailboxAddress("Support", "SUPPORT@example.test");
        await client.SendAsync(own, MailboxAddress.Parse("alice@example.test"), [MailboxAddress.Parse("bob@example.test")]);
        await _engine.WaitForInboxAsync("bob@example.test", 1);
    }

    [Theory]
    [InlineData("alice@example.test", "wrong-password")]
    [InlineData("nobody@example.test", TestEngine.Password)]
    [InlineData("carol@example.test", TestEngine.Password)]
    public async Task Wrong_credentials_get_535_5_7_8(string user, string password)
    {
        using var client = await ConnectAsync();
        var e = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(user, password));
        Assert.Contains("5.7.8", e.Message, StringComparison.Ordinal);
        // MailKit tries each offered mechanism in turn, so one attempt may count twice.
        Assert.InRange(_engine.Host.Counters.AuthFailures.Total, 1, 2);
    }

    [Fact]
    public async Task AUTH_before_STARTTLS_is_refused_with_538_and_not_even_offered()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_engine.Submission);
        await client.ReadReplyAsync();
        var ehlo = await client.CommandAsync("EHLO client.test");
        Assert.DoesNotContain("AUTH", ehlo, StringComparison.Ordinal);
        Assert.Contains("STARTTLS", ehlo, StringComparison.Ordinal);
        Assert.StartsWith("538 5.7.11", await client.CommandAsync("AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABjb3JyZWN0LWhvcnNlLTc="), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submission_without_AUTH_is_refused_with_530()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_engine.Submission);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("STARTTLS");
        await client.UpgradeAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.StartsWith("530 5.7.0", await client.CommandAsync("MAIL FROM:<alice@example.test>"), StringComparison.Ordinal);
    }
}
