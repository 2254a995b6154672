using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using MailEngine.Contracts;

namespace AdminConsole.Web.Features.Diagnostics;

/// <summary>
/// What the diagnostics page and GET /api/v1/diagnostics/scanner show about a node's spam scanner
/// (<see cref="ScannerReport"/>: CPU, Hyperscan library, tier and why, rules, Bayes), its self-test, and
/// the audited control that forces a tier. Through the engine contract: the first node unless one is
/// named (?node=), since each node chose its tier for its own CPU.
/// </summary>
public sealed class ScannerDiagnostics(EngineNodes nodes, AdminDbContext db, AuditLog audit)
{
    public Task<ScannerReport> TakeAsync(string? node, CancellationToken ct) => Node(node).ScannerAsync(ct);

    public static ScannerTier? ParseTier(string? name) => ScannerTierName.TryParse(name, out var tier)
        ? tier
        : throw new Core.DomainValidationException("tier", "The tier must be auto, native, ssse3 or managed.");

    /// <summary>Runs the self-test (every available tier over the built-in corpus).</summary>
    public Task<ScannerSelfTest> SelfTestAsync(string? node, CancellationToken ct) => Node(node).SelfTestAsync(ct);

    /// <summary>Forces a tier (null: choose automatically again), recorded in the audit log.</summary>
    public async Task<ScannerReport> ForceAsync(string? node, string? tierName, string actor, string? remoteAddress, CancellationToken ct)
    {
        var tier = ParseTier(tierName);
        var target = Node(node);
        var before = (await target.ScannerAsync(ct)).ForcedTier ?? "auto";
        var report = await target.ForceTierAsync(tier, ct);
        audit.Record(actor, "scanner.tier", "scanner", new { node = target.Name, before, after = tier is { } t ? ScannerTierName.Of(t) : "auto", used = report.Tier, reason = report.Reason }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return report;
    }

    private IEngineNode Node(string? name) => nodes.Find(name)
        ?? throw new Core.DomainValidationException("node", name is null ? "No engine node is configured." : $"There is no engine node {name}.");
}
