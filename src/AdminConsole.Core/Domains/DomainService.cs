using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Domains;

/// <summary>What a client may set on a domain; null means "leave as it is" (or the default on creation).</summary>
/// <param name="MtaStsMode">testing, enforce or none (RFC 8461 §5).</param>
/// <param name="DmarcPolicy">none, quarantine or reject (RFC 7489 §6.3).</param>
/// <param name="InboundDmarc">enforce, quarantine or monitor: what mail failing its sender's DMARC policy gets here.</param>
/// <param name="TrustedArcSealers">Domains whose ARC seal is believed (RFC 8617 §7.2); an empty list trusts none.</param>
public sealed record DomainChanges(string? Description = null, long? DefaultQuotaBytes = null, long? MaxMessageBytes = null, string? CatchAllAddress = null, string? MtaStsMode = null, string? DmarcPolicy = null, string? InboundDmarc = null,
    IReadOnlyList<string>? TrustedArcSealers = null);

/// <summary>
/// Creating, changing and deleting mail domains. Every rule is checked before anything is written,
/// the change and its audit record are saved together, and the save requests an engine push.
/// </summary>
public sealed class DomainService(AdminDbContext db, AuditLog audit, TimeProvider clock, Dkim.DkimKeyService dkim)
{
    public const long MinQuotaBytes = 1L << 20;          // 1 MiB
    public const long MaxQuotaBytes = 1L << 50;          // 1 PiB
    public const long MinMessageBytes = 1L << 10;        // 1 KiB
    public const long MaxMessageBytesLimit = 1L << 30;   // 1 GiB
    public const int MaxDescriptionLength = 500;
    public const int MaxTrustedArcSealers = 50;

    public async Task<MailDomain> CreateAsync(string? name, DomainChanges changes, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        if (!EmailAddress.TryNormalizeDomain(name, out var normalized, out var error)) errors.Add("name", error);
        var domain = new MailDomain { Name = normalized, CreatedAt = EntityVersion.Now(clock), UpdatedAt = EntityVersion.Now(clock) };
        Apply(domain, changes, errors);
        await CheckCatchAllAsync(domain, changes, errors, ct);
        errors.ThrowIfAny();
        if (await db.Domains.AnyAsync(d => d.Name == normalized, ct)) throw new DomainConflictException("name", $"The domain {normalized} already exists.");

        db.Domains.Add(domain);
        audit.Record(actor, "domain.created", $"domain:{normalized}", new { after = Describe(domain) }, remoteAddress);
        // Outgoing mail is signed from the first message (RFC 6376; RSA and Ed25519 side by side).
        await dkim.EnsureSigningKeysAsync(domain, actor, ct, remoteAddress);
        await db.SaveChangesAsync(ct);
        return domain;
    }

    public async Task<MailDomain> UpdateAsync(string name, DomainChanges changes, string? expectedVersion, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var domain = await LoadAsync(name, ct);
        EntityVersion.Check(expectedVersion, domain.UpdatedAt, $"The domain {domain.Name}");
        var before = Describe(domain);
        var errors = new ValidationErrors();
        Apply(domain, changes, errors);
        await CheckCatchAllAsync(domain, changes, errors, ct);
        errors.ThrowIfAny();
        domain.UpdatedAt = EntityVersion.Now(clock);
        audit.Record(actor, "domain.updated", $"domain:{domain.Name}", new { before, after = Describe(domain) }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return domain;
    }

    /// <summary>
    /// Deletes a domain. One with mailboxes or groups is refused unless <paramref name="cascade"/> is set,
    /// in which case they go with it. The stored mail stays in the engine's Maildir store.
    /// </summary>
    public async Task DeleteAsync(string name, bool cascade, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var domain = await LoadAsync(name, ct);
        var mailboxes = await db.Mailboxes.CountAsync(m => m.DomainId == domain.Id, ct);
        var groups = await db.Groups.CountAsync(g => g.DomainId == domain.Id, ct);
        if ((mailboxes > 0 || groups > 0) && !cascade)
            throw new DomainConflictException("name", $"The domain {domain.Name} has {mailboxes} mailbox(es) and {groups} group(s); delete them first or confirm the cascade.");

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Groups.RemoveRange(await db.Groups.Where(g => g.DomainId == domain.Id).ToListAsync(ct));
        db.Mailboxes.RemoveRange(await db.Mailboxes.Where(m => m.DomainId == domain.Id).ToListAsync(ct));
        db.Domains.Remove(domain);
        audit.Record(actor, "domain.deleted", $"domain:{domain.Name}", new { before = Describe(domain), mailboxes, groups }, remoteAddress);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private Task<MailDomain> LoadAsync(string name, CancellationToken ct) => db.DomainAsync(name, ct);

    private static void Apply(MailDomain domain, DomainChanges changes, ValidationErrors errors)
    {
        if (changes.Description is { } description)
        {
            if (description.Length > MaxDescriptionLength) errors.Add("description", $"A description is at most {MaxDescriptionLength} characters.");
            else domain.Description = description.Trim().Length == 0 ? null : description.Trim();
        }

        if (changes.MtaStsMode is { } mode)
        {
            if (!Enum.TryParse<Dns.MtaStsMode>(mode, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || mode.Any(char.IsDigit))
                errors.Add("mtaStsMode", "The MTA-STS mode is testing, enforce or none (RFC 8461).");
            else domain.MtaStsMode = parsed;
        }

        if (changes.DmarcPolicy is { } dmarc)
        {
            if (!Enum.TryParse<Dns.DmarcPolicy>(dmarc, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || dmarc.Any(char.IsDigit))
                errors.Add("dmarcPolicy", "The DMARC policy is none, quarantine or reject (RFC 7489).");
            else domain.DmarcPolicy = parsed;
        }

        if (changes.InboundDmarc is { } inbound)
        {
            if (!Enum.TryParse<MailEngine.Contracts.DmarcEnforcement>(inbound, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || inbound.Any(char.IsDigit))
                errors.Add("inboundDmarc", "Inbound DMARC is enforce (refuse p=reject, Junk p=quarantine), quarantine (Junk both) or monitor (record only).");
            else domain.InboundDmarc = parsed;
        }

        if (changes.TrustedArcSealers is { } sealers)
        {
            var names = new List<string>();
            foreach (var sealer in sealers.Where(s => !string.IsNullOrWhiteSpace(s)))
            {
                if (!EmailAddress.TryNormalizeDomain(sealer.Trim(), out var normalized, out var error))
                {
                    errors.Add("trustedArcSealers", error);
                    break;
                }

                if (!names.Contains(normalized)) names.Add(normalized);
            }

            if (names.Count > MaxTrustedArcSealers) errors.Add("trustedArcSealers", $"At most {MaxTrustedArcSealers} trusted forwarders.");
            else if (!errors.Has("trustedArcSealers")) domain.TrustedArcSealers = names;
        }

        if (changes.DefaultQuotaBytes is { } quota)
        {
            if (quota is < MinQuotaBytes or > MaxQuotaBytes) errors.Add("defaultQuotaBytes", "The default quota is between 1 MiB (0.001 GiB) and 1 PiB (1048576 GiB).");
            else domain.DefaultQuotaBytes = quota;
        }

        if (changes.MaxMessageBytes is { } size)
        {
            if (size is < MinMessageBytes or > MaxMessageBytesLimit) errors.Add("maxMessageBytes", "The maximum message size is between 1 KiB (0.001 MiB) and 1 GiB (1024 MiB).");
            else domain.MaxMessageBytes = size;
        }

        if (changes.CatchAllAddress is { } catchAll)
        {
            if (catchAll.Trim().Length == 0) domain.CatchAllAddress = null;
            else if (!EmailAddress.TryParse(catchAll, out var address, out var error)) errors.Add("catchAllAddress", error);
            else domain.CatchAllAddress = address.ToString();
        }
    }

    /// <summary>
    /// A catch-all set to an address of one of our domains must be a mailbox or group that exists:
    /// otherwise every message for an unknown name would be accepted and then lost in a bounce
    /// (or refused only at delivery). An address elsewhere is forwarded, as a group member is.
    /// </summary>
    private async Task CheckCatchAllAsync(MailDomain domain, DomainChanges changes, ValidationErrors errors, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(changes.CatchAllAddress) || domain.CatchAllAddress is not { } target || errors.Has("catchAllAddress")) return;
        var targetDomain = EmailAddress.DomainOf(target);
        if (targetDomain != domain.Name && !await db.Domains.AnyAsync(d => d.Name == targetDomain, ct)) return;
        if (await db.Mailboxes.AnyAsync(m => m.Address == target, ct) || await db.Groups.AnyAsync(g => g.Address == target, ct)) return;
        errors.Add("catchAllAddress", $"There is no mailbox or group {target}: create it first, or point the catch-all at an address that exists.");
    }

    private static object Describe(MailDomain d) => new { d.Name, d.Description, d.DefaultQuotaBytes, d.MaxMessageBytes, d.CatchAllAddress, MtaStsMode = d.MtaStsMode.ToString().ToLowerInvariant(), DmarcPolicy = d.DmarcPolicy.ToString().ToLowerInvariant(), InboundDmarc = d.InboundDmarc.ToString().ToLowerInvariant(), d.TrustedArcSealers };
}
