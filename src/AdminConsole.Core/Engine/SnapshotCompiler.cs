using AdminConsole.Core.Data;
using AdminConsole.Core.Groups;
using AdminConsole.Core.Vacation;
using MailEngine.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Engine;

/// <summary>Policy the console adds to every snapshot (section "Engine:Policy").</summary>
public sealed class EnginePolicyOptions
{
    public const string Section = "Engine:Policy";

    /// <summary>Networks that may relay through the MX listener without AUTH (the seed's trusted-networks).</summary>
    /// <remarks>
    /// Null by default, with the default applied in <see cref="EffectiveTrustedNetworks"/>: configuration
    /// binding appends to a collection's initial items instead of replacing them.
    /// </remarks>
    public string[]? TrustedNetworks { get; set; }

    public IReadOnlyList<string> EffectiveTrustedNetworks => TrustedNetworks ?? ["127.0.0.0/8", "::1/128"];

    public long MaxMessageBytes { get; set; } = 25L * 1024 * 1024;
    public int MaxRecipientsPerMessage { get; set; } = 100;

    /// <summary>The From: of the DMARC aggregate reports the engine sends; empty: dmarc-reports@ the first domain.</summary>
    public string? ReportAddress { get; set; }

    /// <summary>The organization the reports name (org_name); empty: the report address's domain.</summary>
    public string? ReportOrganization { get; set; }
}

/// <summary>The one place that turns the desired state in PostgreSQL into an <see cref="EngineSnapshot"/>.</summary>
public sealed class SnapshotCompiler(AdminDbContext db, IOptions<EnginePolicyOptions> policy, Dkim.DkimKeyService dkim, Srs.SrsSecretService srs, Certificates.CertificateService certificates)
{
    /// <summary>Compiles the current state with version 0; the push job numbers it.</summary>
    public async Task<EngineSnapshot> CompileAsync(CancellationToken ct = default)
    {
        var domains = await db.Domains.AsNoTracking().OrderBy(d => d.Name).ToListAsync(ct);
        // Scalars straight into snapshot records (no entities), and the few vacation rules that are on
        // read apart: with 100,000 mailboxes this query is most of the compile time.
        var mailboxes = await db.Mailboxes.AsNoTracking().OrderBy(m => m.Address)
            .Select(m => new { m.Id, Snapshot = new SnapshotMailbox(m.Address, m.PasswordHash, m.QuotaBytes, m.Enabled, m.DisplayName, null) }).ToListAsync(ct);
        var vacations = await db.VacationRules.AsNoTracking().Where(v => v.Enabled).Include(v => v.Mailbox)
            .ToDictionaryAsync(v => v.MailboxId, v => VacationSieveScript.Compile(v, v.Mailbox!.Address), ct);
        var filters = await db.SieveFilters.AsNoTracking().Where(f => f.Script != "").ToDictionaryAsync(f => f.MailboxId, f => f.Script, ct);
        var groups = await db.Groups.AsNoTracking().Include(g => g.Members).OrderBy(g => g.Address).ToListAsync(ct);
        var overrides = (await db.SpamRuleOverrides.AsNoTracking().ToListAsync(ct)).ToLookup(o => o.DomainId);
        var signing = (await db.DkimKeys.AsNoTracking().Where(k => k.State == Dkim.DkimKeyState.Active).OrderBy(k => k.Algorithm).ToListAsync(ct))
            .ToLookup(k => k.DomainId, k => new SnapshotDkimKey(k.Selector, k.Algorithm == Dkim.DkimAlgorithm.Ed25519 ? SnapshotDkimKey.Ed25519Sha256 : SnapshotDkimKey.RsaSha256, dkim.Unseal(k)));

        var memberIds = groups.SelectMany(g => g.Members).Select(m => m.MailboxId).OfType<Guid>().ToHashSet();
        var expansion = new GroupExpansion(groups, mailboxes.Where(m => memberIds.Contains(m.Id)).ToDictionary(m => m.Id, m => m.Snapshot.Address));
        var p = policy.Value;
        return new EngineSnapshot
        {
            Version = 0,
            CompiledAt = DateTimeOffset.UnixEpoch,
            Domains = domains.Select(d => new SnapshotDomain(d.Name, Math.Min(d.MaxMessageBytes, p.MaxMessageBytes), d.CatchAllAddress, Spam.SpamSettingsService.Policy(d, overrides[d.Id]), signing[d.Id].ToList(), d.InboundDmarc, d.TrustedArcSealers.Count > 0 ? d.TrustedArcSealers : null)).ToList(),
            Mailboxes = mailboxes.Select(m => (vacations.TryGetValue(m.Id, out var vacation), filters.TryGetValue(m.Id, out var filter)) switch
            {
                (false, false) => m.Snapshot,
                _ => m.Snapshot with { VacationSieve = vacation, SieveScript = filter },
            }).ToList(),
            Aliases = groups.Select(g => new SnapshotAlias(g.Address, expansion.Expand(g.Id))).ToList(),
            Srs = new SnapshotSrs(await srs.ForSnapshotAsync(ct)),
            Certificates = await certificates.ForSnapshotAsync(ct),
            Policy = new SnapshotPolicy
            {
                TrustedNetworks = [.. p.EffectiveTrustedNetworks],
                MaxMessageBytes = p.MaxMessageBytes,
                MaxRecipientsPerMessage = p.MaxRecipientsPerMessage,
                ReportAddress = string.IsNullOrWhiteSpace(p.ReportAddress) ? null : p.ReportAddress.Trim(),
                ReportOrganization = string.IsNullOrWhiteSpace(p.ReportOrganization) ? null : p.ReportOrganization.Trim(),
            },
        };
    }
}
