using System.Text.Json;
using AdminConsole.Core.Data;
using MailEngine.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Engine;

public sealed class EngineFollowerOptions
{
    public const string Section = "Engine:Follow";

    /// <summary>How often this process checks PostgreSQL for a newer published snapshot and asks each node what it runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The one way a snapshot travels to an engine: the push job publishes a version in PostgreSQL, and
/// this follower (one per console process) delivers the newest version to every node of
/// <see cref="EngineNodes"/> (the engine in this process and the mailengine-nodes), recording per node
/// what it runs, when it last answered and its last error. A node that was down is caught up when it
/// answers again. A cheap query (the newest version number) every couple of seconds, or at once when
/// the push job in this process published; the content is read only when a node is behind. While
/// PostgreSQL is down every node keeps its snapshot.
/// </summary>
public sealed class EngineSnapshotFollower(
    IServiceScopeFactory scopes,
    EngineNodes nodes,
    SnapshotCipher cipher,
    IOptions<EngineFollowerOptions> options,
    TimeProvider clock,
    ILogger<EngineSnapshotFollower> logger,
    Certificates.ConsoleCertificates? consoleCertificates = null) : BackgroundService
{
    private long _seen;
    private readonly WakeSignal _wake = new();
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _load = new(1, 1);
    private EngineSnapshot? _loaded;

    /// <summary>A version was published: deliver it now rather than at the next interval.</summary>
    public void Wake() => _wake.Set();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartRoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await _wake.WaitAsync(options.Value.Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round for every node, waiting until each has answered (or failed): what tests and adminctl call.</summary>
    public async Task CatchUpAsync(CancellationToken ct)
    {
        // Rounds the background loop has in flight may have read an older newest version: they end
        // first, then one round reads it afresh for every node.
        Task[] running;
        lock (_inFlight) running = [.. _inFlight.Values];
        await Task.WhenAll(running);
        await StartRoundAsync(ct);
        lock (_inFlight) running = [.. _inFlight.Values];
        await Task.WhenAll(running);
    }

    /// <summary>
    /// Starts a round for each node that has none in flight, without waiting for them: a node that
    /// hangs until its timeout delays only itself.
    /// </summary>
    private async Task StartRoundAsync(CancellationToken ct)
    {
        long? newest;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            newest = await scope.ServiceProvider.GetRequiredService<AdminDbContext>().EngineSnapshotVersions.MaxAsync(v => (long?)v.Version, ct);
            // A new version may carry a certificate another process saved (adminctl, another console):
            // the console's HTTPS reads its certificates again now, not at its next interval.
            if (newest is { } seen && seen > Interlocked.Exchange(ref _seen, seen)) consoleCertificates?.Changed();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            logger.LogDebug("Could not check for a newer snapshot: {Reason}", e.Message);
            newest = null; // still ask the nodes what they run
        }

        lock (_inFlight)
        {
            foreach (var node in nodes.All)
            {
                if (_inFlight.TryGetValue(node.Name, out var previous) && !previous.IsCompleted) continue;
                _inFlight[node.Name] = FollowAsync(node, newest, ct);
            }
        }
    }

    private async Task FollowAsync(IEngineNode node, long? newest, CancellationToken ct)
    {
        await Task.Yield(); // started under the lock: run outside it
        try
        {
            var status = await node.StatusAsync(ct);
            nodes.Answered(node, status, clock.GetUtcNow());
            if (newest is not { } version || version <= status.Snapshot.AppliedVersion) return;

            var snapshot = await LoadAsync(version, ct);
            if (snapshot is null) return;
            var applied = await node.ApplyAsync(snapshot, ct);
            nodes.Applied(node, applied, clock.GetUtcNow());
            if (applied.AppliedVersion < version)
                logger.LogWarning("Engine node {Node} did not apply snapshot version {Version}: {Error}", node.Name, version, applied.LastError);
            else
                logger.LogInformation("Engine node {Node} applied snapshot version {Version}", node.Name, version);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is EngineNodeException or Npgsql.NpgsqlException or InvalidOperationException or TimeoutException or JsonException or System.Security.Cryptography.CryptographicException)
        {
            var known = nodes.StateOf(node).LastError;
            nodes.Failed(node, e.Message, clock.GetUtcNow());
            if (known != e.Message) logger.LogWarning("Engine node {Node}: {Error}", node.Name, e.Message);
        }
    }

    /// <summary>The snapshot of that version from PostgreSQL, read once for all the nodes that need it; null when it is gone.</summary>
    private async Task<EngineSnapshot?> LoadAsync(long version, CancellationToken ct)
    {
        await _load.WaitAsync(ct);
        try
        {
            if (_loaded?.Version == version) return _loaded;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
            var row = await db.EngineSnapshotVersions.AsNoTracking().SingleOrDefaultAsync(v => v.Version == version, ct);
            if (row is null) return null; // pruned by a newer publication: the next round takes that one
            var chunks = await db.EngineSnapshotChunks.AsNoTracking().Where(c => row.MailboxChunks.Contains(c.Hash)).ToDictionaryAsync(c => c.Hash, c => c.Content, ct);
            var missing = row.MailboxChunks.FirstOrDefault(h => !chunks.ContainsKey(h));
            if (missing is not null) throw new InvalidOperationException($"Snapshot version {row.Version} lacks mailbox chunk {missing}.");
            var snapshot = SnapshotChunks.Assemble(cipher.OpenHead(row.Content, row.ContentHash), row.MailboxChunks.Select(h => cipher.OpenChunk(chunks[h], h)));
            _loaded = snapshot with { Version = row.Version, CompiledAt = row.CompiledAt };
            return _loaded;
        }
        finally
        {
            _load.Release();
        }
    }
}
