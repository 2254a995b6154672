using System.Security.Cryptography;
using System.Text;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Security;
using MailEngine.Auth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Accounts;

/// <summary>
/// Two-factor sign-in for admins: TOTP (RFC 6238) enrolled from a QR code, and ten single-use recovery
/// codes. The TOTP secret is stored encrypted (Data Protection, keys under the master key), recovery
/// codes only as SHA-256 hashes. Enrolling and removing need the current password (re-authentication),
/// and both end every other session.
/// </summary>
public sealed class TwoFactorService(AdminDbContext db, AuditLog audit, TimeProvider clock, IDataProtectionProvider protection)
{
    public const string Issuer = "Mail admin console";
    public const int RecoveryCodeCount = 10;

    private readonly IDataProtector _protector = protection.CreateProtector("AdminConsole.Accounts.Totp.v1");

    public sealed record Enrolment(byte[] Secret, string KeyUri, string SecretText);

    /// <summary>A new secret to show as a QR code; nothing is stored until <see cref="EnableAsync"/>.</summary>
    public static Enrolment Begin(string email)
    {
        var secret = Totp.NewSecret();
        return new Enrolment(secret, Totp.KeyUri(Issuer, email, secret), Totp.Base32(secret));
    }

    /// <summary>Turns 2FA on once the app shows the right code; returns the recovery codes, shown once.</summary>
    public async Task<IReadOnlyList<string>> EnableAsync(Guid adminId, string? password, byte[] secret, string? code, string? remoteAddress, CancellationToken ct = default)
    {
        var admin = await LoadAsync(adminId, ct);
        var errors = new ValidationErrors();
        if (!MailPasswordHasher.Verify(admin.PasswordHash, password ?? string.Empty)) errors.Add("password", "The password is not correct.");
        var step = Totp.Verify(secret, code, clock.GetUtcNow(), null);
        if (step is null) errors.Add("code", "The code does not match; check the time on your phone and enter the current code.");
        errors.ThrowIfAny();

        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToList();
        admin.TotpSecretProtected = _protector.Protect(Convert.ToBase64String(secret));
        admin.TotpLastStep = step;
        admin.RecoveryCodeHashes = codes.Select(Hash).ToList();
        admin.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record($"admin:{admin.Email}", "admin.2fa-enabled", $"admin:{admin.Email}", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
        return codes;
    }

    public async Task DisableAsync(Guid adminId, string? password, string? code, string? remoteAddress, CancellationToken ct = default)
    {
        var admin = await LoadAsync(adminId, ct);
        var errors = new ValidationErrors();
        if (!MailPasswordHasher.Verify(admin.PasswordHash, password ?? string.Empty)) errors.Add("password", "The password is not correct.");
        else if (Verify(admin, code) is null) errors.Add("code", "Enter a current code from your app or a recovery code.");
        errors.ThrowIfAny();
        admin.TotpSecretProtected = null;
        admin.TotpLastStep = null;
        admin.RecoveryCodeHashes = [];
        admin.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record($"admin:{admin.Email}", "admin.2fa-disabled", $"admin:{admin.Email}", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Checks a TOTP code (not one used before) or a recovery code (used up); returns "totp" or
    /// "recovery-code" and marks the code used on the tracked account, or null. The caller saves.
    /// </summary>
    public string? Verify(AdminAccount admin, string? code)
    {
        if (admin.TotpSecretProtected is null || string.IsNullOrWhiteSpace(code)) return null;
        var secret = Convert.FromBase64String(_protector.Unprotect(admin.TotpSecretProtected));
        if (Totp.Verify(secret, code, clock.GetUtcNow(), admin.TotpLastStep) is { } step)
        {
            admin.TotpLastStep = step;
            return "totp";
        }

        var hash = Hash(code.Trim().ToLowerInvariant());
        if (admin.RecoveryCodeHashes.Contains(hash))
        {
            admin.RecoveryCodeHashes = admin.RecoveryCodeHashes.Where(h => h != hash).ToList();
            return "recovery-code";
        }

        return null;
    }

    private async Task<AdminAccount> LoadAsync(Guid id, CancellationToken ct) =>
        await db.AdminAccounts.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw new DomainNotFoundException("The account no longer exists.");

    // 50 random bits in ten base32 characters, grouped for reading: "k7qp-2mxa-9f".
    private static string NewRecoveryCode()
    {
        var text = Totp.Base32(RandomNumberGenerator.GetBytes(7))[..10].ToLowerInvariant();
        return $"{text[..4]}-{text[4..8]}-{text[8..]}";
    }

    private static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
