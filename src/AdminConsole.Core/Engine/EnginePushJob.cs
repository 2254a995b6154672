using System.Security.Cryptography;
using System.Text.Json;
using AdminConsole.Core.Data;
using Hangfire;
using MailEngine.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AdminConsole.Core.Engine;

/// <summary>What the console last did towards the engine, for the Engine page.</summary>
public sealed class EnginePushStatus
{
    private volatile PushRecord _last = new(null, null, null);

    /// <param name="Duration">Compile and publish together: what the 100,000-mailbox benchmark reads.</param>
    /// <param name="StartedAt">When it began reading the desired state: only a push started after a save saw it.</param>
    public sealed record PushRecord(DateTimeOffset? At, long? Version, string? Error, TimeSpan? Duration = null, DateTimeOffset? StartedAt = null);

    public PushRecord Last => _last;

    internal void Record(DateTimeOffset startedAt, DateTimeOffset at, long? version, string? error, TimeSpan? duration = null) =>
        _last = new PushRecord(at, version, error, duration, startedAt);
}

/// <summary>
/// Compiles the desired state and publishes it as a numbered version in PostgreSQL (a new number only
/// when the content changed), encrypted at rest (<see cref="SnapshotCipher"/>). That is all it does: the
/// engines get the version from <see cref="EngineSnapshotFollower"/> (one per console process, woken
/// here at once when it runs in this one), so it does not matter which node's job server runs this job.
/// Runs after changes (requested by <see cref="EngineChangeInterceptor"/> on every save that touches
/// the snapshot, coalesced by <see cref="EnginePushScheduler"/>) and every minute to reconcile.
/// </summary>
public sealed class EnginePushJob(
    AdminDbContext db,
    SnapshotCompiler compiler,
    EnginePushScheduler scheduler,
    EnginePushStatus status,
    SnapshotCipher cipher,
    TimeProvider clock,
    ILogger<EnginePushJob> logger,
    EngineSnapshotFollower? follower = null)
{
    public const string RecurringJobId = "engine-reconcile";

    /// <summary>Published versions kept; older rows are deleted (an engine never goes back to them).</summary>
    public const int VersionsKept = 20;

    // No DisableConcurrentExecution: a Hangfire lock held by a node that lost PostgreSQL would stall every
    // push for its timeout. Publishing is serialized by an advisory lock instead (below).
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        scheduler.Started();
        var started = clock.GetTimestamp();
        var startedAt = clock.GetUtcNow();
        EngineSnapshot content;
        try
        {
            content = await compiler.CompileAsync(ct);
        }
        catch (DomainConflictException e)
        {
            status.Record(startedAt, clock.GetUtcNow(), null, $"The desired state cannot be compiled: {e.Message}");
            logger.LogError("Snapshot compilation failed: {Error}", e.Message);
            return;
        }

        var compiled = clock.GetElapsedTime(started);
        var stored = SnapshotChunks.Split(content);
        var serialized = clock.GetElapsedTime(started);

        // Two pushes at once (two nodes, or a change during the reconcile) take turns here, so the same
        // content gets one version. A transaction-scoped advisory lock ends with the transaction, even
        // when the connection dies, unlike a lock row a lost node would leave behind.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7424520001)", ct);
        // Only the number, time and hash of the latest version: its content is megabytes with many mailboxes.
        var latest = await db.EngineSnapshotVersions.OrderByDescending(v => v.Version)
            .Select(v => new { v.Version, v.ContentHash }).FirstOrDefaultAsync(ct);
        long version;
        if (latest is null || !latest.ContentHash.AsSpan().SequenceEqual(stored.ContentHash))
        {
            // Only the chunks no kept version has yet: usually the one bucket a change touched.
            var hashes = stored.Chunks.Select(c => c.Hash).ToList();
            var present = await db.EngineSnapshotChunks.Where(c => hashes.Contains(c.Hash)).Select(c => c.Hash).ToListAsync(ct);
            db.EngineSnapshotChunks.AddRange(stored.Chunks.Where(c => !present.Contains(c.Hash)).Select(c => new EngineSnapshotChunk { Hash = c.Hash, Content = cipher.SealChunk(c.Json, c.Hash) }));
            var row = new EngineSnapshotVersion
            {
                CompiledAt = clock.GetUtcNow(),
                ContentHash = stored.ContentHash,
                Domains = content.Domains.Count,
                Mailboxes = content.Mailboxes.Count,
                Groups = content.Aliases.Count,
                Content = cipher.SealHead(stored.Head, stored.ContentHash),
                MailboxChunks = hashes,
            };
            db.EngineSnapshotVersions.Add(row);
            await db.SaveChangesAsync(ct);
            await db.EngineSnapshotVersions.Where(v => v.Version <= row.Version - VersionsKept).ExecuteDeleteAsync(ct);
            await db.Database.ExecuteSqlRawAsync(
                "DELETE FROM engine_snapshot_chunks c WHERE NOT EXISTS (SELECT 1 FROM engine_snapshot_versions v WHERE c.hash = ANY (v.mailbox_chunks))", ct);
            logger.LogInformation("Published snapshot version {Version}: {Domains} domains, {Mailboxes} mailboxes, {Groups} groups",
                row.Version, row.Domains, row.Mailboxes, row.Groups);
            version = row.Version;
        }
        else
        {
            version = latest.Version;
        }

        await transaction.CommitAsync(ct);
        var published = clock.GetElapsedTime(started);

        follower?.Wake();
        status.Record(startedAt, clock.GetUtcNow(), version, null, published);
        // Each phase's end since the start: where a slow push spends its time (bench/directory.sh reads these).
        logger.LogInformation("Push of version {Version}: compiled by {Compile:0} ms, serialized by {Serialize:0} ms, published by {Publish:0} ms",
            version, compiled.TotalMilliseconds, serialized.TotalMilliseconds, published.TotalMilliseconds);
    }
}

/// <summary>
/// Asks for a push after a change. Bursts coalesce: while the push this process enqueued has not yet
/// started (its Hangfire state is still Enqueued), further requests add nothing, and the push that runs
/// compiles the state as it is by then. The state is asked of the job storage, so a push another
/// process runs (adminctl enqueues, the console runs it) counts as started once it is: a change saved
/// after that start gets a push of its own (a certificate adminctl issued in the seconds after its
/// first save waited for the minutely reconcile before).
/// </summary>
public sealed class EnginePushScheduler(IServiceProvider services)
{
    private readonly Lock _gate = new();
    private string? _pendingJob;

    public void Request()
    {
        // A client over this host's own storage: Hangfire's registered client may follow the static
        // JobStorage.Current, which another host in the same process can replace.
        if (services.GetService(typeof(JobStorage)) is not JobStorage storage) return;
        lock (_gate)
        {
            if (_pendingJob is { } pending && StillEnqueued(storage, pending)) return;
            _pendingJob = new BackgroundJobClient(storage).Enqueue<EnginePushJob>(j => j.RunAsync(CancellationToken.None));
        }
    }

    private static bool StillEnqueued(JobStorage storage, string job)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(job)?.Name == Hangfire.States.EnqueuedState.StateName;
    }

    /// <summary>The push this process enqueued runs here: the next request enqueues another without asking the storage.</summary>
    internal void Started()
    {
        lock (_gate) _pendingJob = null;
    }
}
