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

    /// <param name="Broken">Records that do not match on every name server; -1 when the last check could not ask any.</param>
    public sealed record DnsProblem(string Domain, int Broken, DateTimeOffset CheckedAt);

    /// <param name="DnsProblems">Domains whose newest live DNS check found records missing or wrong (issue #15).</param>
    public sealed record Snapshot(
        bool DatabaseUp,
        string? DatabaseError,
        string? DatabaseVersion,
        DirectoryCounts? Counts,
        IReadOnlyList<JobServerState> JobServers,
        JobCounts? Jobs,
        IReadOnlyList<DnsProblem>? DnsProblems = null);

    /// <summary>A job server that has not beaten for this long is shown as dead (Hangfire's own timeout is 5 minutes).</summary>
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromMinutes(1);

    /// <summary>The domains whose newest live DNS check found records missing or wrong (the dashboard, /metrics, the alert rule).</summary>
    public static async Task<List<DnsProblem>> DnsProblemsAsync(AdminDbContext db, CancellationToken ct)
    {
        var newest = await db.Domains.AsNoTracking().OrderBy(d => d.Name)
            .Select(d => new { d.Name, Check = db.DnsChecks.Where(c => c.DomainId == d.Id).OrderByDescending(c => c.CheckedAt).Select(c => new { c.Broken, c.CheckedAt }).FirstOrDefault() })
            .ToListAsync(ct);
        return newest.Where(n => n.Check is { Broken: not 0 }).Select(n => new DnsProblem(n.Name, n.Check!.Broken, n.Check.CheckedAt)).ToList();
    }

    public async Task<Snapshot> TakeAsync(CancellationToken ct = default)
    {
        DirectoryCounts? counts = null;
        List<DnsProblem>? dns = null;
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
            dns = await DnsProblemsAsync(db, ct);
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

        return new Snapshot(error is null, error, version, counts, servers, jobs, dns);
    }
}
