using System.Diagnostics;
using MailEngine.Auth;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Auth;

/// <summary>Guessing passwords over one connection gets slower and then impossible, on SMTP and IMAP alike.</summary>
public sealed class LoginBrakeTests : IAsyncLifetime
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(200);
    private TestEngine _engine = default!;

    // The default wait for a hashing slot: the slots are shared by every test class of this process
    // that hashes passwords, so a short wait here made a verdict a "try again later" whenever two of
    // them hashed at that moment (seen once in a full run: 454 instead of 535). The short wait belongs
    // to LoginSlotsTests alone, which holds every slot itself.
    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o => o.Login.FailureDelay = Delay);

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task SMTP_AUTH_waits_longer_after_each_failure_and_the_third_closes_the_connection()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_engine.Submissions, implicitTls: true);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");
        var clock = Stopwatch.StartNew();
        Assert.StartsWith("535 5.7.8", await client.CommandAsync("AUTH PLAIN " + RawSmtpClient.Plain("alice@example.test", "guess-1")));
        Assert.StartsWith("535 5.7.8", await client.CommandAsync("AUTH PLAIN " + RawSmtpClient.Plain("alice@example.test", "guess-2")));
        // The right password on the third try does not help: the brake has already counted two failures,
        // and a third wrong one closes the connection.
        Assert.StartsWith("421 4.7.0", await client.CommandAsync("AUTH PLAIN " + RawSmtpClient.Plain("alice@example.test", "guess-3")));
        // Waits of 200, 400 and 800 ms: at least their sum passed (a lower bound holds on any machine).
        Assert.True(clock.Elapsed >= Delay * 7, $"the three failures took only {clock.Elapsed}");
        Assert.Null(await client.ReadLineAsync());
        Assert.Equal(3, _engine.Host.Counters.AuthFailures.Values.Single(v => v.Value == "smtp").Count);
    }

    [Fact]
    public async Task IMAP_LOGIN_gets_NO_twice_then_NO_and_BYE_and_the_right_password_works_on_a_new_connection()
    {
        await using (var client = await RawImapClient.ConnectAsync(_engine.Imaps))
        {
            Assert.StartsWith("a1 NO [AUTHENTICATIONFAILED]", (await client.CommandAsync("a1", "LOGIN alice@example.test guess-1"))[^1]);
            Assert.StartsWith("a2 NO [AUTHENTICATIONFAILED]", (await client.CommandAsync("a2", "LOGIN alice@example.test guess-2"))[^1]);
            await client.SendAsync("a3 LOGIN alice@example.test guess-3\r\n");
            Assert.StartsWith("a3 NO [AUTHENTICATIONFAILED]", await client.ReadLineAsync());
            Assert.Equal("* BYE Too many failed logins", await client.ReadLineAsync());
            Assert.Null(await client.ReadLineAsync());
        }

        Assert.Equal(3, _engine.Host.Counters.AuthFailures.Values.Single(v => v.Value == "imap").Count);
        await using var again = await RawImapClient.ConnectAsync(_engine.Imaps);
        await again.LoginAsync();
    }
}
