using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Alerts;

/// <summary>Takes <see cref="AlertInputs"/>: every engine node through the contract, certificates and DNS checks from PostgreSQL.</summary>
public sealed class AlertInputSource(AdminDbContext db, EngineNodes nodes, AlertCounterMemory counters, TimeProvider clock)
{
    public async Task<AlertInputs> TakeAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var desired = await db.EngineSnapshotVersions.MaxAsync(v => (long?)v.Version, ct);
        var telemetry = (await nodes.TelemetryAsync(ct)).ToDictionary(t => t.Node.Name, t => t.Telemetry, StringComparer.Ordinal);
        var nodeInputs = nodes.States.Select(s =>
        {
            var t = telemetry.GetValueOrDefault(s.Name);
            var samples = t is null ? counters.Of(s.Name) : counters.Add(s.Name, CounterTotals.From(now, t));
            var running = s.Reachable && s.Status?.Running == true;
            return new AlertInputs.Node(s.Name, running, desired is null || s.AppliedVersion >= desired, t, samples);
        }).ToList();

        var dns = await Dashboard.DashboardStatistics.DnsProblemsAsync(db, ct);
        return new AlertInputs(now, nodeInputs, await CertificatesAsync(db, ct), [.. dns.Select(d => new AlertInputs.DnsProblem(d.Domain, d.Broken))]);
    }

    /// <summary>The issued, unrevoked certificates by their first name: for the rules, /metrics and /healthz/ready.</summary>
    public static async Task<IReadOnlyList<AlertInputs.Certificate>> CertificatesAsync(AdminDbContext db, CancellationToken ct)
    {
        var certificates = await db.ServerCertificates.AsNoTracking()
            .Where(c => c.RevokedAt == null && c.NotAfter != null)
            .Select(c => new { c.Names, c.NotAfter, c.FailedAttempts, c.LastError })
            .ToListAsync(ct);
        return [.. certificates.Select(c => new AlertInputs.Certificate(c.Names.FirstOrDefault() ?? "(no name)", c.NotAfter!.Value, c.FailedAttempts, c.LastError))];
    }
}
