using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Security;
using MailEngine.Addressing;
using MailEngine.Auth;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Mailboxes;

/// <summary>What a client may set on a mailbox; null means "leave as it is" (or the default on creation).</summary>
public sealed record MailboxChanges(string? DisplayName = null, long? QuotaBytes = null, bool? Enabled = null);

/// <summary>
/// Creating, changing and deleting mailboxes. Every rule is checked before anything is written; a
/// generated password is returned once and only its hash is stored; the save requests an engine push.
/// </summary>
public sealed class MailboxService(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public const int MaxDisplayNameLength = 200;

    public sealed record Created(Mailbox Mailbox, string? GeneratedPassword);

    public async Task<Created> CreateAsync(string? address, MailboxChanges changes, string? password, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        EmailAddress parsed = default;
        if (!EmailAddress.TryParse(address, out parsed, out var error)) errors.Add("address", error);
        if (password is not null && PasswordPolicy.Check(password, parsed.LocalPart is null ? null : parsed.ToString()) is { } weak) errors.Add("password", weak);
        errors.ThrowIfAny();

        var normalized = parsed.ToString();
        var domain = await db.Domains.SingleOrDefaultAsync(d => d.Name == parsed.Domain, ct);
        if (domain is null) throw new DomainValidationException("address", $"There is no domain {parsed.Domain} here; create it first.");
        await EnsureAddressFreeAsync(normalized, ct);

        var generated = password is null ? PasswordGenerator.Generate() : null;
        var now = EntityVersion.Now(clock);
        var mailbox = new Mailbox
        {
            DomainId = domain.Id,
            LocalPart = parsed.LocalPart!,
            Address = normalized,
            PasswordHash = MailPasswordHasher.Hash(password ?? generated!),
            QuotaBytes = domain.DefaultQuotaBytes,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Apply(mailbox, changes, errors);
        errors.ThrowIfAny();

        db.Mailboxes.Add(mailbox);
        audit.Record(actor, "mailbox.created", $"mailbox:{normalized}", new { after = Describe(mailbox), passwordGenerated = generated is not null }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return new Created(mailbox, generated);
    }

    public async Task<Mailbox> UpdateAsync(string address, MailboxChanges changes, string? expectedVersion, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var mailbox = await LoadAsync(address, ct);
        EntityVersion.Check(expectedVersion, mailbox.UpdatedAt, $"The mailbox {mailbox.Address}");
        var before = Describe(mailbox);
        var errors = new ValidationErrors();
        Apply(mailbox, changes, errors);
        errors.ThrowIfAny();
        mailbox.UpdatedAt = EntityVersion.Now(clock);
        audit.Record(actor, "mailbox.updated", $"mailbox:{mailbox.Address}", new { before, after = Describe(mailbox) }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return mailbox;
    }

    /// <summary>Sets a new password: the one given (checked by the policy) or a generated one, which is returned once.</summary>
    public async Task<string?> SetPasswordAsync(string address, string? password, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var mailbox = await LoadAsync(address, ct);
        if (password is not null && PasswordPolicy.Check(password, mailbox.Address) is { } weak) throw new DomainValidationException("password", weak);
        var generated = password is null ? PasswordGenerator.Generate() : null;
        mailbox.PasswordHash = MailPasswordHasher.Hash(password ?? generated!);
        mailbox.UpdatedAt = EntityVersion.Now(clock);
        audit.Record(actor, "mailbox.password-set", $"mailbox:{mailbox.Address}", new { generated = generated is not null }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return generated;
    }

    /// <summary>
    /// A user changing their own password (<see cref="PasswordChange"/>); a refusal is audited too.
    /// </summary>
    public async Task ChangeOwnPasswordAsync(string address, string? currentPassword, string? newPassword, string? remoteAddress, CancellationToken ct = default)
    {
        var mailbox = await LoadAsync(address, ct);
        var errors = PasswordChange.Check(mailbox.PasswordHash, currentPassword, newPassword, mailbox.Address);
        if (errors.Any)
        {
            audit.Record($"mailbox:{mailbox.Address}", "mailbox.password-change-refused", $"mailbox:{mailbox.Address}", remoteAddress: remoteAddress);
            await db.SaveChangesAsync(ct);
            errors.ThrowIfAny();
        }

        mailbox.PasswordHash = MailPasswordHasher.Hash(newPassword!);
        mailbox.UpdatedAt = EntityVersion.Now(clock);
        audit.Record($"mailbox:{mailbox.Address}", "mailbox.password-changed", $"mailbox:{mailbox.Address}", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Deletes the mailbox from the directory; its stored mail stays in the Maildir store until removed there.</summary>
    public async Task DeleteAsync(string address, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var mailbox = await LoadAsync(address, ct);
        db.Mailboxes.Remove(mailbox);
        audit.Record(actor, "mailbox.deleted", $"mailbox:{mailbox.Address}", new { before = Describe(mailbox) }, remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    private async Task EnsureAddressFreeAsync(string address, CancellationToken ct)
    {
        if (await db.Mailboxes.AnyAsync(m => m.Address == address, ct)) throw new DomainConflictException("address", $"The mailbox {address} already exists.");
        if (await db.Groups.AnyAsync(g => g.Address == address, ct)) throw new DomainConflictException("address", $"{address} is a group.");
    }

    private async Task<Mailbox> LoadAsync(string address, CancellationToken ct) =>
        await db.Mailboxes.WithAddress(address).SingleOrDefaultAsync(ct) ?? throw new DomainNotFoundException($"No mailbox {address}.");

    private static void Apply(Mailbox mailbox, MailboxChanges changes, ValidationErrors errors)
    {
        if (changes.DisplayName is { } name)
        {
            if (name.Length > MaxDisplayNameLength) errors.Add("displayName", $"A display name is at most {MaxDisplayNameLength} characters.");
            else if (name.Any(char.IsControl)) errors.Add("displayName", "A display name cannot contain control characters.");
            else mailbox.DisplayName = name.Trim();
        }

        if (changes.QuotaBytes is { } quota)
        {
            if (quota is < Domains.DomainService.MinQuotaBytes or > Domains.DomainService.MaxQuotaBytes)
                errors.Add("quotaBytes", "A quota is between 1 MiB (0.001 GiB) and 1 PiB (1048576 GiB).");
            else mailbox.QuotaBytes = quota;
        }

        if (changes.Enabled is { } enabled) mailbox.Enabled = enabled;
    }

    // Never the password hash.
    private static object Describe(Mailbox m) => new { m.Address, m.DisplayName, m.QuotaBytes, m.Enabled };
}
