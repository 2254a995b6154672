using System.Text.Json;
using AdminConsole.Core.Data;
using MailEngine.Control;
using MailEngine.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Engine;

public sealed class EngineFollowerOptions
{
    public const string Section = "Engine:Follow";

    /// <summary>How often this process checks PostgreSQL for a newer published snapshot.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Keeps this process's engine on the latest published snapshot version, whichever node compiled it.
/// A cheap query (the newest version number) every couple of seconds; the content is read only when
/// it is newer than what the engine runs. While PostgreSQL is down the engine keeps its snapshot.
/// </summary>
public sealed class EngineSnapshotFollower(
    IServiceScopeFactory scopes,
    IEngineControl engine,
    IOptions<EngineFollowerOptions> options,
    TimeProvider clock,
    ILogger<EngineSnapshotFollower> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException or JsonException)
            {
                logger.LogDebug("Could not check for a newer snapshot: {Reason}", e.Message);
            }

            try
            {
                await Task.Delay(options.Value.Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task CatchUpAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
        var newest = await db.EngineSnapshotVersions.MaxAsync(v => (long?)v.Version, ct);
        if (newest is null || newest <= engine.Status.AppliedVersion) return;

        var row = await db.EngineSnapshotVersions.AsNoTracking().SingleAsync(v => v.Version == newest, ct);
        var chunks = await db.EngineSnapshotChunks.AsNoTracking().Where(c => row.MailboxChunks.Contains(c.Hash)).ToDictionaryAsync(c => c.Hash, c => c.Content, ct);
        var missing = row.MailboxChunks.FirstOrDefault(h => !chunks.ContainsKey(h));
        if (missing is not null) throw new InvalidOperationException($"Snapshot version {row.Version} lacks mailbox chunk {missing}.");
        var snapshot = SnapshotChunks.Assemble(row.Content, row.MailboxChunks.Select(h => chunks[h]));
        engine.Apply(snapshot with { Version = row.Version, CompiledAt = row.CompiledAt });
    }
}
