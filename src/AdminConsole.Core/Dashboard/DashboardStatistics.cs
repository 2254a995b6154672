using AdminConsole.Core.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Dashboard;

/// <summary>What the dashboard and /metrics show: real counts from the database and the state of the job servers.</summary>
public sealed class DashboardStatistics(AdminDbContext db, JobStorage jobStorage, TimeProvider clock)
{
    public sealed record DirectoryCounts(int Domains, int Mailboxes, int EnabledMailboxes, int Groups, int AdminAccounts, int ActiveApiTokens);

    public sealed record JobServerState(string Name, int Workers, IReadOnlyList<string> Queues, DateTime? Heartbeat, bool Alive);

    public sealed record JobCounts(long Enqueued, long Processing, long Scheduled, long Failed, long Succeeded, long Recurring);

    public sealed record Snapshot(
        bool DatabaseUp,
        string? DatabaseError,
        string? DatabaseVersion,
        DirectoryCounts? Counts,
        IReadOnlyList<JobServerState> JobServers,
        JobCounts? Jobs);

    /// <summary>A job server that has not beaten for this long is shown as dead (Hangfire's own timeout is 5 minutes).</summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromMinutes(1);

    public async Task<Snapshot> TakeAsync(CancellationToken ct = default)
    {
        DirectoryCounts? counts = null;
        string? version = null;
        string? error = null;
        try
        {
            version = await db.Database.SqlQueryRaw<string>("SELECT current_setting('server_version') AS \"Value\"").SingleAsync(ct);
            counts = new DirectoryCounts(
                await db.Domains.CountAsync(ct),
                await db.Mailboxes.CountAsync(ct),
                await db.Mailboxes.CountAsync(m => m.Enabled, ct),
                await db.Groups.CountAsync(ct),
                await db.AdminAccounts.CountAsync(ct),
                await db.ApiTokens.CountAsync(t => t.RevokedAt == null, ct));
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            error = e.Message;
        }

        var servers = new List<JobServerState>();
        JobCounts? jobs = null;
        if (error is null)
        {
            try
            {
                var monitoring = jobStorage.GetMonitoringApi();
                var now = clock.GetUtcNow().UtcDateTime;
                servers.AddRange(monitoring.Servers().Select(s => new JobServerState(
                    s.Name, s.WorkersCount, s.Queues.ToList(), s.Heartbeat, s.Heartbeat is { } h && now - h < HeartbeatTimeout)));
                var stats = monitoring.GetStatistics();
                jobs = new JobCounts(stats.Enqueued, stats.Processing, stats.Scheduled, stats.Failed, stats.Succeeded, stats.Recurring);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                error = e.Message;
            }
        }

        return new Snapshot(error is null, error, version, counts, servers, jobs);
    }
}
