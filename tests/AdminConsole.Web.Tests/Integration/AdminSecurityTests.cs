using AdminConsole.Core.Mailboxes;
using AdminConsole.Core.Security;
using System.Net;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>A console with short limits, so lockout and timeouts can be seen in a test.</summary>
/// <summary>Three failures lock an address (the default is higher, to keep the tests short).</summary>
public sealed class LockoutConsoleHost : ConsoleHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Console:SignIn:MaxFailures"] = "3",
        // Every test here signs in from 127.0.0.1: the per-source brake is tested on its own host.
        ["Console:SignIn:SourceFreeFailures"] = "1000",
    };
}

/// <summary>
/// A short absolute session timeout, for its own test only: with it on the shared host, any test
/// whose sign-ins took longer than the timeout on a busy machine saw its sessions end (a CI flake).
/// </summary>
public sealed class ShortSessionConsoleHost : ConsoleHost
{
    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromSeconds(8);

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Console:Sessions:AbsoluteTimeout"] = AbsoluteTimeout.ToString(),
    };
}

/// <summary>Sign-ins wait only briefly for a password-hashing slot, so that a test can fill the slots and see the 503.</summary>
public sealed class BusyHashingConsoleHost : ConsoleHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Console:SignIn:HashingWait"] = "00:00:00.100",
    };
}

public sealed class BusyHashingTests(BusyHashingConsoleHost host) : IClassFixture<BusyHashingConsoleHost>
{
    [Fact]
    public async Task With_every_hashing_slot_taken_a_sign_in_gets_503_and_counts_no_failure()
    {
        var admin = await host.CreateAdminAsync("busy@example.com");
        using var client = host.Factory.CreateHttpClient();
        using var release = new ManualResetEventSlim();
        // Every holder inside its slot (other tests hash too: counting slots in use would not say whose they are).
        using var inside = new CountdownEvent(MailEngine.Auth.PasswordHashingSlots.Count);
        var holders = Enumerable.Range(0, MailEngine.Auth.PasswordHashingSlots.Count)
            .Select(_ => Task.Run(() => MailEngine.Auth.PasswordHashingSlots.Run(() => { inside.Signal(); return release.Wait(TimeSpan.FromMinutes(1)); }))).ToArray();
        try
        {
            Assert.True(await Task.Run(() => inside.Wait(TimeSpan.FromMinutes(1))), "the holders never got their slots");
            using var busy = await SignInForm.PostAsync(client, admin.Account.Email, admin.Password);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.Contains("too busy to check passwords", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
            await Task.WhenAll(holders);
        }

        await using var db = host.Database.CreateContext();
        Assert.False(await db.SignInFailures.AnyAsync());
    }
}

public sealed class AbsoluteSessionTimeoutTests(ShortSessionConsoleHost host) : IClassFixture<ShortSessionConsoleHost>
{
    [Fact]
    public async Task A_session_ends_at_the_absolute_timeout_however_busy_it_is()
    {
        var admin = await host.CreateAdminAsync("absolute@example.com");
        using var client = await host.SignedInClientAsync(admin.Account.Email, admin.Password);
        var signedInAt = DateTimeOffset.UtcNow;
        using (var ok = await client.GetAsync("/api/v1/overview")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        // The timeout is counted in whole seconds from the sign-in; wait until it has certainly passed.
        var until = signedInAt + ShortSessionConsoleHost.AbsoluteTimeout + TimeSpan.FromSeconds(1.5);
        while (DateTimeOffset.UtcNow < until) await Task.Delay(until - DateTimeOffset.UtcNow);
        using var late = await client.GetAsync("/api/v1/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
    }
}

public sealed class AdminSecurityTests(LockoutConsoleHost host) : IClassFixture<LockoutConsoleHost>
{
    private const string LockedMessage = "Too many failed attempts for this address.";

    [Fact]
    public async Task Repeated_failures_lock_an_address_whether_or_not_it_exists_and_the_right_password_is_then_refused_too()
    {
        var admin = await host.CreateAdminAsync("locked@example.com");
        using var client = host.Factory.CreateHttpClient();
        foreach (var address in new[] { "locked@example.com", "no-such-account@example.com" })
        {
            for (var i = 0; i < 3; i++)
            {
                using var failed = await SignInForm.PostAsync(client, address, "wrong password " + i);
                Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            }
        }

        using var known = await SignInForm.PostAsync(client, "locked@example.com", admin.Password);
        using var unknown = await SignInForm.PostAsync(client, "no-such-account@example.com", admin.Password);
        foreach (var response in new[] { known, unknown })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Contains(LockedMessage, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("console.auth=", StringComparison.Ordinal)));
        }

        await using var db = host.Database.CreateContext();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == "signin.locked"));
    }

    [Fact]
    public async Task An_admin_with_two_factor_sign_in_needs_a_current_code_or_a_recovery_code_once()
    {
        var admin = await host.CreateAdminAsync("totp@example.com");
        var enrolment = TwoFactorService.Begin(admin.Account.Email);
        IReadOnlyList<string> recovery;
        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<TwoFactorService>();
            var wrong = await Assert.ThrowsAsync<Core.DomainValidationException>(() => service.EnableAsync(admin.Account.Id, admin.Password, enrolment.Secret, "000000", null));
            Assert.Contains("code", wrong.Errors.Keys);
            recovery = await service.EnableAsync(admin.Account.Id, admin.Password, enrolment.Secret, Totp.Code(enrolment.Secret, Totp.StepAt(DateTimeOffset.UtcNow)), null);
        }

        Assert.Equal(10, recovery.Distinct().Count());
        await using (var db = host.Database.CreateContext())
        {
            var stored = await db.AdminAccounts.SingleAsync(a => a.Id == admin.Account.Id);
            Assert.DoesNotContain(enrolment.SecretText, stored.TotpSecretProtected!, StringComparison.Ordinal);
            Assert.DoesNotContain(recovery[0], string.Join(",", stored.RecoveryCodeHashes), StringComparison.Ordinal);
        }

        // The password alone leads to the code page, not into the console.
        using var client = host.Factory.CreateHttpClient();
        using (var password = await SignInForm.PostAsync(client, admin.Account.Email, admin.Password))
        {
            Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
            Assert.StartsWith("/signin/second-factor", password.RedirectTarget(), StringComparison.Ordinal);
        }

        using (var notYet = await client.GetAsync("/api/v1/overview")) Assert.Equal(HttpStatusCode.Unauthorized, notYet.StatusCode);
        using (var wrongCode = await PostCodeAsync(client, "123456")) Assert.Equal(HttpStatusCode.Unauthorized, wrongCode.StatusCode);
        using (var right = await PostCodeAsync(client, recovery[3]))
        {
            Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        }

        using (var overview = await client.GetAsync("/api/v1/overview")) Assert.Equal(HttpStatusCode.OK, overview.StatusCode);

        // The recovery code is used up.
        using var second = host.Factory.CreateHttpClient();
        (await SignInForm.PostAsync(second, admin.Account.Email, admin.Password)).Dispose();
        using var reused = await PostCodeAsync(second, recovery[3]);
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
    }

    [Fact]
    public async Task The_code_page_without_a_password_first_grants_nothing()
    {
        using var client = host.Factory.CreateHttpClient();
        using var page = await client.GetAsync("/signin/second-factor");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        Assert.Contains("second-factor-expired", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_every_session_of_the_account()
    {
        var admin = await host.CreateAdminAsync("everywhere@example.com");
        using var first = await host.SignedInClientAsync(admin.Account.Email, admin.Password);
        using var second = await host.SignedInClientAsync(admin.Account.Email, admin.Password);
        using (var ok = await first.GetAsync("/api/v1/overview")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<AdminAccountService>().SignOutEverywhereAsync(admin.Account.Id, null);

        foreach (var client in new[] { first, second })
        {
            using var response = await client.GetAsync("/api/v1/overview");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_mailbox_users_sessions_end_when_the_password_changes()
    {
        const string password = "first long password";
        await host.Database.SeedAsync("stamp.test", new MailboxSeed("sue", password));

        using var client = await host.SignedInClientAsync("sue@stamp.test", password);
        using (var page = await client.GetAsync("/account")) Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            var service = scope.ServiceProvider.GetRequiredService<MailboxService>();
            var refused = await Assert.ThrowsAsync<Core.DomainValidationException>(() => service.ChangeOwnPasswordAsync("sue@stamp.test", "not it", "second long password", null));
            Assert.Equal(["currentPassword"], refused.Errors.Keys);
            await service.ChangeOwnPasswordAsync("sue@stamp.test", password, "second long password", null);
        }

        using var after = await client.GetAsync("/account");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/signin", after.RedirectTarget(), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostCodeAsync(HttpClient client, string code) =>
        SignInForm.PostFormAsync(client, "/signin/second-factor", "second-factor", new Dictionary<string, string> { ["Input.Code"] = code });
}
