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

    /// <summary>Failures within <see cref="FailureWindow"/> that lock an address.</summary>
    public int MaxFailures { get; set; } = 5;

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
        if (await LockedUntilAsync(key, ct) is { } until)
        {
            if (await MailPasswordHasher.VerifyAsync(MailPasswordHasher.TimingDummyHash, password, ct, options.Value.HashingWait) == PasswordCheck.Busy) return Unavailable;
            audit.Record($"unknown:{key}", "signin.refused-locked", remoteAddress: remoteAddress);
            await db.SaveChangesAsync(ct);
            return new SignInResult(SignInOutcome.LockedOut, RetryAfter: until);
        }

        if (!parsed)
        {
            if (await MailPasswordHasher.VerifyAsync(MailPasswordHasher.TimingDummyHash, password, ct, options.Value.HashingWait) == PasswordCheck.Busy) return Unavailable;
            return await FailAsync(key, $"unknown:{key}", remoteAddress, ct);
        }

        var admin = await db.AdminAccounts.SingleOrDefaultAsync(a => a.Email == key, ct);
        if (admin is not null)
        {
            var check = await MailPasswordHasher.VerifyAsync(admin.PasswordHash, password, ct, options.Value.HashingWait);
            if (check == PasswordCheck.Busy) return Unavailable;
            if (check != PasswordCheck.Match || admin.Disabled) return await FailAsync(key, $"admin:{key}", remoteAddress, ct);
            if (MailPasswordHasher.NeedsRehash(admin.PasswordHash)) admin.PasswordHash = MailPasswordHasher.Hash(password);
            var user = new SignedInUser(SignInKind.Admin, admin.Id, admin.Email, admin.Role, admin.SecurityStamp);
            if (admin.TwoFactorEnabled)
            {
                audit.Record($"admin:{key}", "signin.password-accepted", $"admin:{key}", new { secondFactor = "required" }, remoteAddress);
                await db.SaveChangesAsync(ct);
                return new SignInResult(SignInOutcome.SecondFactorRequired, user);
            }

            return await SucceedAsync(key, admin, user, remoteAddress, ct);
        }

        var mailbox = await db.Mailboxes.SingleOrDefaultAsync(m => m.Address == key, ct);
        if (mailbox is not null)
        {
            var check = await MailPasswordHasher.VerifyAsync(mailbox.PasswordHash, password, ct, options.Value.HashingWait);
            if (check == PasswordCheck.Busy) return Unavailable;
            if (check != PasswordCheck.Match || !mailbox.Enabled) return await FailAsync(key, $"mailbox:{key}", remoteAddress, ct);
            return await SucceedAsync(key, null, new SignedInUser(SignInKind.Mailbox, mailbox.Id, mailbox.Address, null, MailboxStamp(mailbox.PasswordHash)), remoteAddress, ct);
        }

        if (await MailPasswordHasher.VerifyAsync(MailPasswordHasher.TimingDummyHash, password, ct, options.Value.HashingWait) == PasswordCheck.Busy) return Unavailable;
        return await FailAsync(key, $"unknown:{key}", remoteAddress, ct);
    }

    private static readonly SignInResult Unavailable = new(SignInOutcome.Unavailable);

    /// <summary>The second step for an admin with two-factor sign-in: a TOTP code or an unused recovery code.</summary>
    public async Task<SignInResult> SecondFactorAsync(Guid adminId, string? code, string? remoteAddress, CancellationToken ct = default)
    {
        var admin = await db.AdminAccounts.SingleOrDefaultAsync(a => a.Id == adminId, ct);
        if (admin is null || admin.Disabled) return new SignInResult(SignInOutcome.Failed);
        if (await LockedUntilAsync(admin.Email, ct) is { } until) return new SignInResult(SignInOutcome.LockedOut, RetryAfter: until);
        var how = twoFactor.Verify(admin, code);
        if (how is null) return await FailAsync(admin.Email, $"admin:{admin.Email}", remoteAddress, ct, "signin.second-factor-failed");
        audit.Record($"admin:{admin.Email}", "signin.second-factor", $"admin:{admin.Email}", new { method = how }, remoteAddress);
        return await SucceedAsync(admin.Email, admin, new SignedInUser(SignInKind.Admin, admin.Id, admin.Email, admin.Role, admin.SecurityStamp), remoteAddress, ct);
    }

    /// <summary>
    /// The stamp a session of this account must carry to stay valid; null when the account is gone or
    /// disabled. For mailboxes it derives from the password hash, so a new password ends old sessions.
    /// </summary>
    public async Task<string?> CurrentStampAsync(SignInKind kind, Guid id, CancellationToken ct = default) => kind == SignInKind.Admin
        ? await db.AdminAccounts.Where(a => a.Id == id && !a.Disabled).Select(a => a.SecurityStamp).SingleOrDefaultAsync(ct)
        : await db.Mailboxes.Where(m => m.Id == id && m.Enabled).Select(m => m.PasswordHash).SingleOrDefaultAsync(ct) is { } hash ? MailboxStamp(hash) : null;

    public static string MailboxStamp(string passwordHash) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash)))[..32];

    private async Task<DateTimeOffset?> LockedUntilAsync(string key, CancellationToken ct)
    {
        var failure = await db.SignInFailures.AsNoTracking().SingleOrDefaultAsync(f => f.Address == key, ct);
        return failure?.LockedUntil is { } until && until > clock.GetUtcNow() ? until : null;
    }

    private async Task<SignInResult> FailAsync(string key, string actor, string? remoteAddress, CancellationToken ct, string action = "signin.failed")
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        var failure = await db.SignInFailures.SingleOrDefaultAsync(f => f.Address == key, ct);
        if (failure is null)
        {
            failure = new SignInFailure { Address = key, FirstFailureAt = now };
            db.SignInFailures.Add(failure);
        }
        else if (now - failure.FirstFailureAt > o.FailureWindow || failure.LockedUntil is not null)
        {
            (failure.Failures, failure.FirstFailureAt, failure.LockedUntil) = (0, now, null);
        }

        failure.Failures++;
        // An address without an account is the actor but not an object of the audit log.
        var target = actor.StartsWith("unknown:", StringComparison.Ordinal) ? null : actor;
        audit.Record(actor, action, target, new { failures = failure.Failures }, remoteAddress);
        if (failure.Failures >= o.MaxFailures)
        {
            failure.LockedUntil = now + o.LockoutDuration;
            audit.Record(actor, "signin.locked", target, new { until = failure.LockedUntil }, remoteAddress);
        }

        await db.SaveChangesAsync(ct);
        return new SignInResult(SignInOutcome.Failed);
    }

    private async Task<SignInResult> SucceedAsync(string key, AdminAccount? admin, SignedInUser user, string? remoteAddress, CancellationToken ct)
    {
        if (admin is not null) admin.LastSignInAt = clock.GetUtcNow();
        await db.SignInFailures.Where(f => f.Address == key).ExecuteDeleteAsync(ct);
        var who = $"{(user.Kind == SignInKind.Admin ? "admin" : "mailbox")}:{key}";
        audit.Record(who, "signin.succeeded", who, remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
        return new SignInResult(SignInOutcome.Succeeded, user);
    }

    private static string Truncate(string value) => value.Length > 320 ? value[..320] : value;
}
