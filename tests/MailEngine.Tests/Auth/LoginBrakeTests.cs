using System.Diagnostics;
using System.Text;
using MailEngine.Auth;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Auth;

/// <summary>Guessing passwords over one connection gets slower and then impossible, on SMTP and IMAP alike.</summary>
public sealed class LoginBrakeTests : IAsyncLifetime
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(200);
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o =>
    {
        o.Login.FailureDelay = Delay;
        o.Login.HashingWait = TimeSpan.FromMilliseconds(100);
    });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private static string Plain(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    [Fact]
    public async Task SMTP_AUTH_waits_longer_after_each_failure_and_the_third_closes_the_connection()
    {
        await using var client = await RawSmtpClient.ConnectAsync(_engine.Submissions, implicitTls: true);
        await client.ReadReplyAsync();
        await client.CommandAsync("EHLO client.test");
        var clock = Stopwatch.StartNew();
        Assert.StartsWith("535 5.7.8", await client.CommandAsync("AUTH PLAIN " + Plain("alice@example.test", "guess-1")));
        Assert.StartsWith("535 5.7.8", await client.CommandAsync("AUTH PLAIN " + Plain("alice@example.test", "guess-2")));
        // The right password on the third try does not help: the brake has already counted two failures,
        // and a third wrong one closes the connection.
        Assert.StartsWith("421 4.7.0", await client.CommandAsync("AUTH PLAIN " + Plain("alice@example.test", "guess-3")));
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

    [Fact]
    public async Task Logins_past_the_hashing_slots_are_told_to_come_back_later_on_both_protocols()
    {
        // Every slot taken by hashes that outlast the wait: a login gets the temporary answer, not a verdict.
        using var release = new ManualResetEventSlim();
        // Every holder inside its slot (other tests hash too: counting slots in use would not say whose they are).
        using var inside = new CountdownEvent(MailEngine.Auth.PasswordHashingSlots.Count);
        var holders = Enumerable.Range(0, PasswordHashingSlots.Count)
            .Select(_ => Task.Run(() => PasswordHashingSlots.Run(() => { inside.Signal(); return release.Wait(TimeSpan.FromMinutes(1)); }))).ToArray();
        try
        {
            Assert.True(await Task.Run(() => inside.Wait(TimeSpan.FromMinutes(1))), "the holders never got their slots");

            await using var smtp = await RawSmtpClient.ConnectAsync(_engine.Submissions, implicitTls: true);
            await smtp.ReadReplyAsync();
            await smtp.CommandAsync("EHLO client.test");
            Assert.StartsWith("454 4.7.0", await smtp.CommandAsync("AUTH PLAIN " + Plain("alice@example.test", TestEngine.Password)));

            await using var imap = await RawImapClient.ConnectAsync(_engine.Imaps);
            Assert.StartsWith("b1 NO [UNAVAILABLE]", (await imap.CommandAsync("b1", $"LOGIN bob@example.test {TestEngine.Password}"))[^1]);
            Assert.Equal(0, _engine.Host.Counters.AuthFailures.Total);
            Assert.Equal(2, _engine.Host.Counters.AuthUnavailable.Total);
        }
        finally
        {
            release.Set();
            await Task.WhenAll(holders);
        }
    }
}
