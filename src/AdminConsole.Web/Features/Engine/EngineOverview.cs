using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using MailEngine.Contracts;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Engine;

/// <summary>
/// Desired state (PostgreSQL) next to observed state (every engine node, through the contract): what
/// the Engine page, GET /api/v1/engine/status and /metrics show. The top-level figures are over all
/// nodes (the lowest applied version, queues and counters summed); <see cref="Report.Nodes"/> has each.
/// </summary>
public sealed class EngineOverview(AdminDbContext db, EngineNodes nodes, EnginePushStatus pushes)
{
    /// <summary>One node as the console last saw it.</summary>
    public sealed record NodeReport(
        string Name,
        string Kind,
        string? Url,
        long AppliedVersion,
        DateTimeOffset? AppliedAt,
        bool InSync,
        bool Reachable,
        DateTimeOffset? LastContact,
        string? LastError,
        DateTimeOffset? LastErrorAt,
        bool Running,
        IReadOnlyDictionary<string, string> Listeners,
        string Scanner,
        int QueueLength,
        double OldestQueuedSeconds,
        IReadOnlyList<CounterReport> Counters,
        IReadOnlyList<VolumeSpace> Volumes);

    public sealed record Report(
        long? DesiredVersion,
        DateTimeOffset? DesiredCompiledAt,
        long AppliedVersion,
        DateTimeOffset? AppliedAt,
        string? ApplyError,
        bool InSync,
        DateTimeOffset? LastPushAt,
        string? LastPushError,
        double? LastPushMilliseconds,
        bool Running,
        IReadOnlyDictionary<string, string> Listeners,
        int QueueLength,
        double OldestQueuedSeconds,
        IReadOnlyList<CounterReport> Counters,
        IReadOnlyList<CounterSample> LastHour,
        IReadOnlyList<NodeReport> Nodes);

    public async Task<Report> TakeAsync(CancellationToken ct)
    {
        long? desired = null;
        DateTimeOffset? compiledAt = null;
        try
        {
            // The number and time only: this runs for every status request and page refresh.
            var latest = await db.EngineSnapshotVersions.OrderByDescending(v => v.Version).Select(v => new { v.Version, v.CompiledAt }).FirstOrDefaultAsync(ct);
            desired = latest?.Version;
            compiledAt = latest?.CompiledAt;
        }
        catch (Npgsql.NpgsqlException)
        {
            // The engines' side is still worth showing while PostgreSQL is down.
        }

        var telemetry = (await nodes.TelemetryAsync(ct)).ToDictionary(t => t.Node.Name, t => t.Telemetry, StringComparer.Ordinal);
        var reports = nodes.States.Select(s =>
        {
            var t = telemetry.GetValueOrDefault(s.Name);
            return new NodeReport(
                s.Name, s.Kind, s.Url, s.AppliedVersion, s.Status?.Snapshot.AppliedAt,
                desired is not null && s.AppliedVersion >= desired, s.Reachable, s.LastContact, s.LastError, s.LastErrorAt,
                s.Reachable && s.Status?.Running == true, s.Status?.Listeners ?? new Dictionary<string, string>(),
                s.Status?.Scanner ?? "unknown", t?.QueueLength ?? 0, t?.OldestQueuedSeconds ?? 0, t?.Counters ?? [], t?.Volumes ?? []);
        }).ToList();

        var push = pushes.Last;
        var applied = reports.Count == 0 ? 0 : reports.Min(n => n.AppliedVersion);
        var errors = reports.Where(n => n.LastError is not null).Select(n => reports.Count > 1 ? $"{n.Name}: {n.LastError}" : n.LastError!).ToList();
        return new Report(
            desired,
            compiledAt,
            applied,
            reports.FirstOrDefault()?.AppliedAt,
            errors.Count == 0 ? null : string.Join(" · ", errors),
            desired is not null && reports.Count > 0 && reports.All(n => n.InSync),
            push.At,
            push.Error,
            push.Duration is { } d ? Math.Round(d.TotalMilliseconds, 1) : null,
            reports.Count > 0 && reports.All(n => n.Running),
            reports.FirstOrDefault()?.Listeners ?? new Dictionary<string, string>(),
            reports.Sum(n => n.QueueLength),
            reports.Count == 0 ? 0 : reports.Max(n => n.OldestQueuedSeconds),
            SumCounters(telemetry.Values),
            SumHistory(telemetry.Values),
            reports);
    }

    /// <summary>The same counter of every node added up, label by label.</summary>
    private static List<CounterReport> SumCounters(IEnumerable<NodeTelemetry> telemetry)
    {
        var byName = new Dictionary<string, (string Help, Dictionary<(string, string), long> Values)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var counter in telemetry.SelectMany(t => t.Counters))
        {
            if (!byName.TryGetValue(counter.Name, out var entry))
            {
                byName[counter.Name] = entry = (counter.Help, []);
                order.Add(counter.Name);
            }

            foreach (var v in counter.Values) entry.Values[(v.Label, v.Value)] = entry.Values.GetValueOrDefault((v.Label, v.Value)) + v.Count;
        }

        return [.. order.Select(name => new CounterReport(name, byName[name].Help,
            [.. byName[name].Values.OrderBy(v => v.Key.Item2, StringComparer.Ordinal).Select(v => new CounterValue(v.Key.Item1, v.Key.Item2, v.Value))]))];
    }

    /// <summary>Traffic per minute over every node: the minutes line up from the newest back (each node samples every minute).</summary>
    private static List<CounterSample> SumHistory(IEnumerable<NodeTelemetry> telemetry)
    {
        var all = telemetry.Select(t => t.LastHour).Where(h => h.Count > 0).ToList();
        if (all.Count == 0) return [];
        if (all.Count == 1) return [.. all[0]];
        var length = all.Max(h => h.Count);
        var sums = new List<CounterSample>(length);
        for (var back = length - 1; back >= 0; back--)
        {
            var minute = all.Select(h => h.Count - 1 - back >= 0 ? h[h.Count - 1 - back] : null).OfType<CounterSample>().ToList();
            sums.Add(new CounterSample(minute.Max(m => m.At), minute.Sum(m => m.Accepted), minute.Sum(m => m.Delivered), minute.Sum(m => m.Deferred), minute.Sum(m => m.Bounced), minute.Sum(m => m.Rejected)));
        }

        return sums;
    }
}
