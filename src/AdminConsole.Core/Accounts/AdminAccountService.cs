using MailEngine.Auth;
using MailEngine.Addressing;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Accounts;

/// <summary>Creates admin accounts and resets their passwords; passwords are generated and shown once.</summary>
public sealed class AdminAccountService(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public sealed record CreatedAccount(AdminAccount Account, string Password);

    public async Task<CreatedAccount> CreateAsync(string email, AdminRole role, string actor, CancellationToken ct = default)
    {
        if (!EmailAddress.TryParse(email, out var address, out var error)) throw new DomainValidationException("email", error);
        var normalized = address.ToString();
        if (await db.AdminAccounts.AnyAsync(a => a.Email == normalized, ct))
            throw new DomainConflictException("email", $"An admin account {normalized} already exists.");

        var password = PasswordGenerator.Generate();
        var account = new AdminAccount
        {
            Email = normalized,
            PasswordHash = MailPasswordHasher.Hash(password),
            Role = role,
            CreatedAt = clock.GetUtcNow(),
        };
        db.AdminAccounts.Add(account);
        audit.Record(actor, "admin.created", $"admin:{normalized}", new { role = role.ToString() });
        await db.SaveChangesAsync(ct);
        return new CreatedAccount(account, password);
    }

    public async Task<string> ResetPasswordAsync(string email, string actor, CancellationToken ct = default)
    {
        if (!EmailAddress.TryParse(email, out var address, out var error)) throw new DomainValidationException("email", error);
        var normalized = address.ToString();
        var account = await db.AdminAccounts.SingleOrDefaultAsync(a => a.Email == normalized, ct)
            ?? throw new DomainNotFoundException($"No admin account {normalized}.");
        var password = PasswordGenerator.Generate();
        account.PasswordHash = MailPasswordHasher.Hash(password);
        account.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record(actor, "admin.password-reset", $"admin:{normalized}");
        await db.SaveChangesAsync(ct);
        return password;
    }

    /// <summary>An admin changing their own password: the current one is required (re-authentication); every session ends.</summary>
    public async Task ChangeOwnPasswordAsync(Guid adminId, string? currentPassword, string? newPassword, string? remoteAddress, CancellationToken ct = default)
    {
        var account = await db.AdminAccounts.SingleOrDefaultAsync(a => a.Id == adminId, ct) ?? throw new DomainNotFoundException("The account no longer exists.");
        PasswordChange.Check(account.PasswordHash, currentPassword, newPassword, account.Email).ThrowIfAny();
        account.PasswordHash = MailPasswordHasher.Hash(newPassword!);
        account.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record($"admin:{account.Email}", "admin.password-changed", $"admin:{account.Email}", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Ends every session of the account, this one included: each is checked against the stamp.</summary>
    public async Task SignOutEverywhereAsync(Guid adminId, string? remoteAddress, CancellationToken ct = default)
    {
        var account = await db.AdminAccounts.SingleOrDefaultAsync(a => a.Id == adminId, ct) ?? throw new DomainNotFoundException("The account no longer exists.");
        account.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record($"admin:{account.Email}", "admin.signed-out-everywhere", $"admin:{account.Email}", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
    }
}
