using AdminConsole.Core.Alerts;
using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AdminConsole.Web.Features.Operations;

/// <summary>
/// One part of /healthz/ready, judged by the same rules the alerts use (<see cref="AlertRules"/>), over
/// what the engine nodes report through the contract now: unhealthy for what loses or refuses mail (a
/// node down, a disk nearly full, an expired certificate), degraded for what will (a node behind, a
/// stuck queue, a certificate expiring, a scanner still compiling).
/// </summary>
internal sealed class EngineReadinessCheck(ReadinessPart part, EngineNodes nodes, AdminDbContext db, IOptions<AlertOptions> options, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        return part switch
        {
            ReadinessPart.EngineNodes => await NodesAsync(cancellationToken),
            ReadinessPart.Scanner => Scanner(),
            ReadinessPart.Queue => Judge(await TelemetryInputsAsync(now, cancellationToken), degraded: [AlertRules.QueueStuck, AlertRules.QueueBackedUp], unhealthy: [], "Every queue moves."),
            ReadinessPart.DiskSpace => Judge(await TelemetryInputsAsync(now, cancellationToken), degraded: [], unhealthy: [AlertRules.DiskSpaceLow], "Every Maildir and spool file system has room."),
            _ => await CertificatesAsync(now, cancellationToken),
        };
    }

    private async Task<HealthCheckResult> NodesAsync(CancellationToken ct)
    {
        var desired = await db.EngineSnapshotVersions.MaxAsync(v => (long?)v.Version, ct);
        var states = nodes.States;
        if (states.Count == 0) return HealthCheckResult.Unhealthy("No engine node is configured.");
        var down = states.Where(s => !(s.Reachable && s.Status?.Running == true)).Select(s => $"{s.Name} {(s.Reachable ? "is not running" : $"does not answer ({s.LastError ?? "no contact yet"})")}").ToList();
        var silent = states.Where(s => s.Reachable && s.Status is { Running: true, Listeners.Count: 0 }).Select(s => $"{s.Name} has no listener open").ToList();
        var behind = states.Where(s => desired is { } d && s.AppliedVersion < d).Select(s => $"{s.Name} runs version {s.AppliedVersion} of {desired}").ToList();
        var data = states.ToDictionary(s => s.Name, s => (object)new { s.AppliedVersion, reachable = s.Reachable, running = s.Status?.Running == true, listeners = s.Status?.Listeners.Count ?? 0 });
        if (down.Count + silent.Count > 0) return HealthCheckResult.Unhealthy(string.Join("; ", down.Concat(silent)) + ".", data: data);
        if (behind.Count > 0) return HealthCheckResult.Degraded(string.Join("; ", behind) + ".", data: data);
        return HealthCheckResult.Healthy($"{states.Count} engine node(s) run snapshot {desired} with their listeners open.", data);
    }

    private HealthCheckResult Scanner()
    {
        var compiling = nodes.States.Where(s => s.Status is { } status && status.Scanner != "ready").Select(s => $"{s.Name}: {s.Status!.Scanner}").ToList();
        return compiling.Count == 0 ? HealthCheckResult.Healthy("Every node's spam scanner is ready.")
            : HealthCheckResult.Degraded($"The spam scanner is not ready on {string.Join(", ", compiling)} (mail is accepted and scanned once it is).");
    }

    private async Task<AlertInputs> TelemetryInputsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var telemetry = await nodes.TelemetryAsync(ct);
        return new AlertInputs(now, [.. telemetry.Select(t => new AlertInputs.Node(t.Node.Name, true, true, t.Telemetry, []))], [], []);
    }

    private async Task<HealthCheckResult> CertificatesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var certificates = await AlertInputSource.CertificatesAsync(db, ct);
        var inputs = new AlertInputs(now, [], certificates, []);
        var expired = inputs.Certificates.Where(c => c.NotAfter <= now).Select(c => $"The certificate for {c.Name} expired on {c.NotAfter:yyyy-MM-dd}.").ToList();
        if (expired.Count > 0) return HealthCheckResult.Unhealthy(string.Join(" ", expired));
        return Judge(inputs, degraded: [AlertRules.CertificateExpiring, AlertRules.CertificateRenewalFailing], unhealthy: [],
            certificates.Count == 0 ? "No certificate uploaded or issued: the engine serves a self-signed one." : $"{certificates.Count} certificate(s) valid for {options.Value.CertificateDaysMin} days or more.");
    }

    private HealthCheckResult Judge(AlertInputs inputs, IReadOnlyList<AlertRule> degraded, IReadOnlyList<AlertRule> unhealthy, string healthy)
    {
        var bad = unhealthy.SelectMany(r => r.Evaluate(inputs, options.Value)).Select(c => c.Message).ToList();
        if (bad.Count > 0) return HealthCheckResult.Unhealthy(string.Join(" ", bad));
        var worse = degraded.SelectMany(r => r.Evaluate(inputs, options.Value)).Select(c => c.Message).ToList();
        return worse.Count > 0 ? HealthCheckResult.Degraded(string.Join(" ", worse)) : HealthCheckResult.Healthy(healthy);
    }
}
