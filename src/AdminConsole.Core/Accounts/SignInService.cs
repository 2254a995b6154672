using MailEngine.Auth;
using MailEngine.Addressing;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Accounts;

public enum SignInKind
{
    Admin,
    Mailbox,
}

/// <summary>Who signed in: an admin (with a role) or a mailbox user.</summary>
public sealed record SignedInUser(SignInKind Kind, Guid Id, string Email, AdminRole? Role);

/// <summary>
/// Checks an email address and password against admin accounts first, then mailboxes. The answer
/// to a failure never says which part was wrong, and an unknown address costs the same hash as a
/// known one, so the console cannot be used to find out which accounts exist.
/// </summary>
public sealed class SignInService(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<SignedInUser?> SignInAsync(string? email, string? password, string? remoteAddress, CancellationToken ct = default)
    {
        password ??= string.Empty;
        if (!EmailAddress.TryParse(email, out var address, out _))
        {
            MailPasswordHasher.Verify(MailPasswordHasher.TimingDummyHash, password);
            return null;
        }

        var normalized = address.ToString();
        var admin = await db.AdminAccounts.SingleOrDefaultAsync(a => a.Email == normalized, ct);
        if (admin is not null)
        {
            var ok = MailPasswordHasher.Verify(admin.PasswordHash, password) && !admin.Disabled;
            if (ok)
            {
                admin.LastSignInAt = clock.GetUtcNow();
                if (MailPasswordHasher.NeedsRehash(admin.PasswordHash)) admin.PasswordHash = MailPasswordHasher.Hash(password);
            }

            audit.Record($"admin:{normalized}", ok ? "signin.succeeded" : "signin.failed", $"admin:{normalized}", remoteAddress: remoteAddress);
            await db.SaveChangesAsync(ct);
            return ok ? new SignedInUser(SignInKind.Admin, admin.Id, admin.Email, admin.Role) : null;
        }

        var mailbox = await db.Mailboxes.SingleOrDefaultAsync(m => m.Address == normalized, ct);
        if (mailbox is not null)
        {
            var ok = MailPasswordHasher.Verify(mailbox.PasswordHash, password) && mailbox.Enabled;
            audit.Record($"mailbox:{normalized}", ok ? "signin.succeeded" : "signin.failed", $"mailbox:{normalized}", remoteAddress: remoteAddress);
            await db.SaveChangesAsync(ct);
            return ok ? new SignedInUser(SignInKind.Mailbox, mailbox.Id, mailbox.Address, null) : null;
        }

        MailPasswordHasher.Verify(MailPasswordHasher.TimingDummyHash, password);
        audit.Record($"unknown:{normalized}", "signin.failed", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
        return null;
    }
}
