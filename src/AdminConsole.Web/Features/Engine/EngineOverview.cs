using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using MailEngine.Hosting;
using MailEngine.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Engine;

/// <summary>Desired state (PostgreSQL) next to observed state (the engine): what the Engine page, the API and /metrics show.</summary>
public sealed class EngineOverview(AdminDbContext db, MailEngineHost engine, EnginePushStatus pushes)
{
    public sealed record CounterValue(string Label, string Value, long Count);

    /// <summary>One engine counter with the help text it carries, so /metrics and the page describe it the same way.</summary>
    public sealed record CounterReport(string Name, string Help, IReadOnlyList<CounterValue> Values);

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
        IReadOnlyList<CounterHistory.Sample> LastHour);

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
            // The engine's side is still worth showing while PostgreSQL is down.
        }

        var status = engine.Status;
        var push = pushes.Last;
        return new Report(
            desired,
            compiledAt,
            status.AppliedVersion,
            status.AppliedAt,
            status.LastError,
            desired is not null && desired == status.AppliedVersion,
            push.At,
            push.Error,
            push.Duration is { } d ? Math.Round(d.TotalMilliseconds, 1) : null,
            engine.Running,
            engine.Endpoints.Select(e => (Name: e.Key.ToString().ToLowerInvariant(), Endpoint: e.Value))
                .Concat(engine.ImapEndpoints.Select(e => (Name: e.Key, Endpoint: e.Value)))
                .ToDictionary(e => e.Name, e => e.Endpoint.ToString()),
            engine.Running ? engine.Queue.Length : 0,
            engine.Running ? Math.Round(engine.Queue.OldestAge.TotalSeconds, 1) : 0,
            engine.Counters.All.Select(c => new CounterReport(c.Name, c.Help, c.Values.Select(v => new CounterValue(v.Label, v.Value, v.Count)).ToList())).ToList(),
            engine.History.PerMinute());
    }
}
