using MailEngine.Auth;
using MailEngine.Addressing;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Accounts;

/// <summary>
/// Admin accounts as other administrators manage them (the Administrators page, /api/v1/admins,
/// adminctl): create with a role, change the role, reset the password (generated, shown once),
/// remove the second factor of someone who lost their phone, remove. Each change ends the
/// account's sessions (a new security stamp) and is audited. The console never ends up without an
/// administrator, and nobody removes or demotes themselves by accident.
/// </summary>
public sealed class AdminAccountService(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public sealed record CreatedAccount(AdminAccount Account, string Password);

    public async Task<CreatedAccount> CreateAsync(string email, AdminRole role, string actor, CancellationToken ct = default, string? remoteAddress = null)
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
        audit.Record(actor, "admin.created", $"admin:{normalized}", new { after = new { email = normalized, role = Role(role) } }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return new CreatedAccount(account, password);
    }

    public async Task<string> ResetPasswordAsync(string email, string actor, CancellationToken ct = default, string? remoteAddress = null)
    {
        var account = await LoadAsync(email, ct);
        var password = PasswordGenerator.Generate();
        account.PasswordHash = MailPasswordHasher.Hash(password);
        account.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record(actor, "admin.password-reset", $"admin:{account.Email}", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
        return password;
    }

    /// <summary>Changes an account's role; the last administrator stays one, and an administrator does not demote themselves.</summary>
    public async Task<AdminAccount> SetRoleAsync(string email, AdminRole role, string actor, CancellationToken ct = default, string? remoteAddress = null)
    {
        var account = await LoadAsync(email, ct);
        if (account.Role == role) return account;
        if (account.Role == AdminRole.Administrator)
        {
            if (actor == $"admin:{account.Email}") throw new DomainConflictException("role", "You cannot take away your own administrator role; another administrator can.");
            await RefuseLastAdministratorAsync(account, "role", "made read-only", ct);
        }

        var before = Role(account.Role);
        account.Role = role;
        // The role is in the session's claims: the account signs in again to get the new one.
        account.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record(actor, "admin.role-changed", $"admin:{account.Email}", new { before = new { role = before }, after = new { role = Role(role) } }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return account;
    }

    /// <summary>
    /// Removes an account's second factor (its authenticator app and recovery codes) for someone who
    /// lost both; they sign in with the password alone and should enrol again at once.
    /// </summary>
    public async Task RemoveTwoFactorAsync(string email, string actor, CancellationToken ct = default, string? remoteAddress = null)
    {
        var account = await LoadAsync(email, ct);
        if (!account.TwoFactorEnabled) throw new DomainConflictException("twoFactor", $"{account.Email} has no second factor to remove.");
        account.TotpSecretProtected = null;
        account.TotpLastStep = null;
        account.RecoveryCodeHashes = [];
        account.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record(actor, "admin.2fa-removed", $"admin:{account.Email}", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Removes an account; its sessions end with it. Not one's own, and not the last administrator.</summary>
    public async Task DeleteAsync(string email, string actor, CancellationToken ct = default, string? remoteAddress = null)
    {
        var account = await LoadAsync(email, ct);
        if (actor == $"admin:{account.Email}") throw new DomainConflictException("email", "You cannot remove your own account; another administrator can.");
        if (account.Role == AdminRole.Administrator) await RefuseLastAdministratorAsync(account, "email", "removed", ct);
        db.AdminAccounts.Remove(account);
        audit.Record(actor, "admin.removed", $"admin:{account.Email}", new { before = new { email = account.Email, role = Role(account.Role), twoFactor = account.TwoFactorEnabled } }, remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    private async Task RefuseLastAdministratorAsync(AdminAccount account, string field, string what, CancellationToken ct)
    {
        if (!await db.AdminAccounts.AnyAsync(a => a.Id != account.Id && a.Role == AdminRole.Administrator && !a.Disabled, ct))
            throw new DomainConflictException(field, $"{account.Email} is the only administrator: it cannot be {what} until there is another.");
    }

    private async Task<AdminAccount> LoadAsync(string email, CancellationToken ct)
    {
        if (!EmailAddress.TryParse(email, out var address, out var error)) throw new DomainValidationException("email", error);
        var normalized = address.ToString();
        return await db.AdminAccounts.SingleOrDefaultAsync(a => a.Email == normalized, ct)
            ?? throw new DomainNotFoundException($"No admin account {normalized}.");
    }

    /// <summary>The role as the API and adminctl write it.</summary>
    public static string Role(AdminRole role) => role == AdminRole.Administrator ? "administrator" : "read-only";

    /// <summary>"administrator" or "read-only" (any case); null for anything else.</summary>
    public static AdminRole? ParseRole(string? role) => role?.Trim().ToLowerInvariant() switch
    {
        "administrator" => AdminRole.Administrator,
        "read-only" => AdminRole.ReadOnly,
        _ => null,
    };

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
