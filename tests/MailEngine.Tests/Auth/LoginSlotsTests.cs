using MailEngine.Auth;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Auth;

/// <summary>Logins when every password-hashing slot is busy: a temporary answer, not a verdict.</summary>
[Collection(ProcessWideCollection.Name)]
public sealed class LoginSlotsTests : IAsyncLifetime
{
    private TestEngine _engine = default!;

    // A short wait for a slot: the test holds every slot itself, so the logins must give up quickly.
    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o => o.Login.HashingWait = TimeSpan.FromMilliseconds(100));

    public async Task DisposeAsync() => await _engine.DisposeAsync();

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
            Assert.StartsWith("454 4.7.0", await smtp.CommandAsync("AUTH PLAIN " + RawSmtpClient.Plain("alice@example.test", TestEngine.Password)));

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
