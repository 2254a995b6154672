using System.Security.Cryptography;
using System.Text;
using MailEngine.Auth;
using MailEngine.Addressing;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Accounts;

public enum SignInKind
{
    Admin,
    Mailbox,
}

/// <summary>Who signed in: an admin (with a role) or a mailbox user, and the security stamp their session carries.</summary>
public sealed record SignedInUser(SignInKind Kind, Guid Id, string Email, AdminRole? Role, string Stamp = "");

public enum SignInOutcome
{
    Succeeded,

    /// <summary>The password was right and the admin has two-factor sign-in: a TOTP or recovery code comes next.</summary>
    SecondFactorRequired,

    Failed,

    /// <summary>Too many failures for this address; said the same way whether or not an account exists.</summary>
    LockedOut,

    /// <summary>Every password-hashing slot stayed busy: nothing was checked or counted; try again later (503).</summary>
    Unavailable,
}

public sealed record SignInResult(SignInOutcome Outcome, SignedInUser? User = null, DateTimeOffset? RetryAfter = null);

/// <summary>Lockout settings (section "Console:SignIn").</summary>
public sealed class SignInOptions
{
    public const string Section = "Console:SignIn";

    /// <summary>Failures from one source address for one account, within <see cref="FailureWindow"/>, that lock that pair.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>
    /// Failures from one source address over all accounts (one password sprayed over many) before
    /// each further attempt from it waits, doubling from <see cref="SourceDelay"/> up to the lockout.
    /// </summary>
    public int SourceFreeFailures { get; set; } = 10;

    public TimeSpan SourceDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Failures for one account from all sources that lock the account itself: much higher, so that
    /// nobody can keep an administrator out by failing on purpose. A locked account still gets in
    /// with the right password and a valid second factor, or after <c>adminctl admin unlock</c>.
    /// </summary>
    public int AccountMaxFailures { get; set; } = 50;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a sign-in waits for a password-hashing slot before it is answered 503.</summary>
    public TimeSpan HashingWait { get; set; } = PasswordHashingSlots.LoginWait;
}

/// <summary>
/// Checks an email address and password against admin accounts first, then mailboxes. The answer
/// to a failure never says which part was wrong, an unknown address costs the same hash as a known
/// one, and failures lock any address — known or not — for a while, so the console cannot be used
/// to find out which accounts exist or to guess passwords quickly.
/// </summary>
public sealed class SignInService(AdminDbContext db, AuditLog audit, TimeProvider clock, IOptions<SignInOptions> options, TwoFactorService twoFactor)
{
    public async Task<SignInResult> SignInAsync(string? email, string? password, string? remoteAddress, CancellationToken ct = default)
    {
        password ??= string.Empty;
        var parsed = EmailAddress.TryParse(email, out var address, out _);
        var key = parsed ? address.ToString() : Truncate((email ?? string.Empty).Trim().ToLowerInvariant());
        var keys = new FailureKeys(key, remoteAddress);
        // A locked pair (this source, this account) or a source that failed too often is refused
        // before any hash: said the same way whether or not an account exists.
        var locks = await LocksAsync(keys, ct);
        if (locks.Connection is { } until)
        {
            audit.Record($"unknown:{key}", "signin.refused-locked", remoteAddress: remoteAddress);
            await db.SaveChangesAsync(ct);
            return new SignInResult(SignInOutcome.LockedOut, RetryAfter: until);
        }

        var accountLocked = locks.Account;
        if (!parsed)
        {
            if (await MailPasswordHasher.VerifyAsync(MailPasswordHasher.TimingDummyHash, password, ct, options.Value.HashingWait) == PasswordCheck.Busy) return Unavailable;
            return await FailAsync(keys, $"unknown:{key}", remoteAddress, ct);
        }

        var admin = await db.AdminAccounts.SingleOrDefaultAsync(a => a.Email == key, ct);
        if (admin is not null)
        {
            var check = await MailPasswordHasher.VerifyAsync(admin.PasswordHash, password, ct, options.Value.HashingWait);
            if (check == PasswordCheck.Busy) return Unavailable;
            if (check != PasswordCheck.Match || admin.Disabled) return await FailAsync(keys, $"admin:{key}", remoteAddress, ct);
            if (MailPasswordHasher.NeedsRehash(admin.PasswordHash)) admin.PasswordHash = MailPasswordHasher.Hash(password);
            var user = new SignedInUser(SignInKind.Admin, admin.Id, admin.Email, admin.Role, admin.SecurityStamp);
            if (admin.TwoFactorEnabled)
            {
                // Even with the account locked: the right password and a valid second factor get in.
                audit.Record($"admin:{key}", "signin.password-accepted", $"admin:{key}", new { secondFactor = "required", accountLocked = accountLocked is not null }, remoteAddress);
                await db.SaveChangesAsync(ct);
                return new SignInResult(SignInOutcome.SecondFactorRequired, user);
            }

            if (accountLocked is { } locked) return await RefuseLockedAccountAsync(key, remoteAddress, locked, ct);
            return await SucceedAsync(keys, admin, user, remoteAddress, ct);
        }

        var mailbox = await db.Mailboxes.SingleOrDefaultAsync(m => m.Address == key, ct);
        if (mailbox is not null)
        {
            var check = await MailPasswordHasher.VerifyAsync(mailbox.PasswordHash, password, ct, options.Value.HashingWait);
            if (check == PasswordCheck.Busy) return Unavailable;
            if (check != PasswordCheck.Match || !mailbox.Enabled) return await FailAsync(keys, $"mailbox:{key}", remoteAddress, ct);
            if (accountLocked is { } locked) return await RefuseLockedAccountAsync(key, remoteAddress, locked, ct);
            return await SucceedAsync(keys, null, new SignedInUser(SignInKind.Mailbox, mailbox.Id, mailbox.Address, null, MailboxStamp(mailbox.PasswordHash)), remoteAddress, ct);
        }

        if (await MailPasswordHasher.VerifyAsync(MailPasswordHasher.TimingDummyHash, password, ct, options.Value.HashingWait) == PasswordCheck.Busy) return Unavailable;
        return await FailAsync(keys, $"unknown:{key}", remoteAddress, ct);
    }

    private static readonly SignInResult Unavailable = new(SignInOutcome.Unavailable);

    /// <summary>
    /// Where failures are counted: per (source, account) — the lock an attacker can only put on
    /// themselves —, per source over all accounts, and per account over all sources (a much higher
    /// bound). Rows of sign_in_failures keyed "pair:", "source:" and the bare account.
    /// </summary>
    private readonly record struct FailureKeys(string Account, string? RemoteAddress)
    {
        public string Source => "source:" + (RemoteAddress ?? "unknown");
        public string Pair => Truncate("pair:" + (RemoteAddress ?? "unknown") + "|" + Account);
        public string[] All => [Pair, Source, Account];
    }

    /// <summary>Lifts every lock on an account (the account-wide one and each source's): an administrator's or <c>adminctl admin unlock</c>'s decision.</summary>
    public async Task<int> UnlockAsync(string email, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var key = EmailAddress.TryParse(email, out var address, out _) ? address.ToString() : email.Trim().ToLowerInvariant();
        var removed = await db.SignInFailures.Where(f => f.Address == key || f.Address.StartsWith("pair:") && f.Address.EndsWith("|" + key)).ExecuteDeleteAsync(ct);
        audit.Record(actor, "signin.unlocked", $"account:{key}", new { rows = removed }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return removed;
    }

    private async Task<SignInResult> RefuseLockedAccountAsync(string key, string? remoteAddress, DateTimeOffset until, CancellationToken ct)
    {
        audit.Record($"unknown:{key}", "signin.refused-account-locked", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
        return new SignInResult(SignInOutcome.LockedOut, RetryAfter: until);
    }

    /// <summary>The second step for an admin with two-factor sign-in: a TOTP code or an unused recovery code.</summary>
    public async Task<SignInResult> SecondFactorAsync(Guid adminId, string? code, string? remoteAddress, CancellationToken ct = default)
    {
        var admin = await db.AdminAccounts.SingleOrDefaultAsync(a => a.Id == adminId, ct);
        if (admin is null || admin.Disabled) return new SignInResult(SignInOutcome.Failed);
        var keys = new FailureKeys(admin.Email, remoteAddress);
        if ((await LocksAsync(keys, ct)).Connection is { } until) return new SignInResult(SignInOutcome.LockedOut, RetryAfter: until);
        var how = twoFactor.Verify(admin, code);
        if (how is null) return await FailAsync(keys, $"admin:{admin.Email}", remoteAddress, ct, "signin.second-factor-failed");
        audit.Record($"admin:{admin.Email}", "signin.second-factor", $"admin:{admin.Email}", new { method = how }, remoteAddress);
        return await SucceedAsync(keys, admin, new SignedInUser(SignInKind.Admin, admin.Id, admin.Email, admin.Role, admin.SecurityStamp), remoteAddress, ct);
    }

    /// <summary>
    /// The stamp a session of this account must carry to stay valid; null when the account is gone or
    /// disabled. For mailboxes it derives from the password hash, so a new password ends old sessions.
    /// </summary>
    public async Task<string?> CurrentStampAsync(SignInKind kind, Guid id, CancellationToken ct = default) => kind == SignInKind.Admin
        ? await db.AdminAccounts.Where(a => a.Id == id && !a.Disabled).Select(a => a.SecurityStamp).SingleOrDefaultAsync(ct)
        : await db.Mailboxes.Where(m => m.Id == id && m.Enabled).Select(m => m.PasswordHash).SingleOrDefaultAsync(ct) is { } hash ? MailboxStamp(hash) : null;

    /// <summary>Records a signed-out session as ended (and drops the records of sessions that have expired by themselves).</summary>
    public async Task EndSessionAsync(Guid sessionId, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await db.EndedSessions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(ct);
        if (!await db.EndedSessions.AnyAsync(s => s.Id == sessionId, ct))
        {
            db.EndedSessions.Add(new EndedSession { Id = sessionId, EndedAt = now, ExpiresAt = expiresAt });
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Whether the session was signed out (checked on every request, a primary-key read).</summary>
    public Task<bool> SessionEndedAsync(Guid sessionId, CancellationToken ct = default) => db.EndedSessions.AnyAsync(s => s.Id == sessionId, ct);

    public static string MailboxStamp(string passwordHash) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash)))[..32];

    /// <summary>
    /// Until when this attempt's source (for this account, or for all) and the account itself are
    /// locked, if they are now: one read of the three rows.
    /// </summary>
    private async Task<(DateTimeOffset? Connection, DateTimeOffset? Account)> LocksAsync(FailureKeys keys, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var all = keys.All;
        var locked = await db.SignInFailures.AsNoTracking().Where(f => all.Contains(f.Address) && f.LockedUntil > now)
            .ToDictionaryAsync(f => f.Address, f => f.LockedUntil!.Value, ct);
        DateTimeOffset? Until(string key) => locked.TryGetValue(key, out var until) ? until : null;
        var connection = new[] { Until(keys.Pair), Until(keys.Source) }.Max();
        return (connection, Until(keys.Account));
    }

    private async Task<SignInResult> FailAsync(FailureKeys keys, string actor, string? remoteAddress, CancellationToken ct, string action = "signin.failed")
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        // An address without an account is the actor but not an object of the audit log.
        var target = actor.StartsWith("unknown:", StringComparison.Ordinal) ? null : actor;
        var all = keys.All;
        var rows = await db.SignInFailures.Where(f => all.Contains(f.Address)).ToDictionaryAsync(f => f.Address, ct);
        var pair = Count(rows, keys.Pair, now);
        var source = Count(rows, keys.Source, now);
        var account = Count(rows, keys.Account, now);
        audit.Record(actor, action, target, new { failures = pair.Failures, fromSource = source.Failures, forAccount = account.Failures }, remoteAddress);
        if (pair.Failures >= o.MaxFailures)
        {
            pair.LockedUntil = now + o.LockoutDuration;
            audit.Record(actor, "signin.locked", target, new { until = pair.LockedUntil, scope = "source-and-account" }, remoteAddress);
        }

        if (source.Failures > o.SourceFreeFailures)
        {
            // Doubling per failure past the free ones, up to the lockout duration.
            var delay = o.SourceDelay * Math.Pow(2, Math.Min(source.Failures - o.SourceFreeFailures - 1, 20));
            source.LockedUntil = now + (delay < o.LockoutDuration ? delay : o.LockoutDuration);
        }

        if (account.Failures >= o.AccountMaxFailures && account.LockedUntil is null)
        {
            account.LockedUntil = now + o.LockoutDuration;
            audit.Record(actor, "signin.locked", target, new { until = account.LockedUntil, scope = "account" }, remoteAddress);
        }

        await db.SaveChangesAsync(ct);
        return new SignInResult(SignInOutcome.Failed);
    }

    /// <summary>One more failure under a key, within the window (an older count, or an expired lock, starts again).</summary>
    private SignInFailure Count(Dictionary<string, SignInFailure> rows, string key, DateTimeOffset now)
    {
        var o = options.Value;
        if (!rows.TryGetValue(key, out var failure))
        {
            failure = new SignInFailure { Address = key, FirstFailureAt = now };
            db.SignInFailures.Add(failure);
        }
        else if (now - failure.FirstFailureAt > o.FailureWindow || failure.LockedUntil <= now)
        {
            (failure.Failures, failure.FirstFailureAt, failure.LockedUntil) = (0, now, null);
        }

        failure.Failures++;
        return failure;
    }

    private async Task<SignInResult> SucceedAsync(FailureKeys keys, AdminAccount? admin, SignedInUser user, string? remoteAddress, CancellationToken ct)
    {
        if (admin is not null) admin.LastSignInAt = clock.GetUtcNow();
        // Success clears this source's count for the account and the account's own count; the
        // source's count over all accounts stays (a sprayer who guesses one password is still slowed).
        await db.SignInFailures.Where(f => f.Address == keys.Pair || f.Address == keys.Account).ExecuteDeleteAsync(ct);
        var key = keys.Account;
        var who = $"{(user.Kind == SignInKind.Admin ? "admin" : "mailbox")}:{key}";
        audit.Record(who, "signin.succeeded", who, remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
        return new SignInResult(SignInOutcome.Succeeded, user);
    }

    private static string Truncate(string value) => value.Length > 320 ? value[..320] : value;
}
