using System.Threading.Channels;
using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AdminConsole.Core.Certificates;

/// <summary>
/// The last step of an issuance on the page: watches a new certificate until every engine node reports
/// it loaded (it travels in the next snapshot) and the console's HTTPS has it, or until
/// <see cref="CertificateOptions.InstallWait"/> is over, then records where it is installed and where
/// not yet. It waits here, not in the issuance job: a job that waited would hold one of the few job
/// workers while the snapshot push it waits for sits in the queue behind it.
/// </summary>
public sealed class CertificateInstallWatcher(IServiceScopeFactory scopes, TimeProvider clock, ILogger<CertificateInstallWatcher> logger) : BackgroundService
{
    private readonly Channel<(Guid Id, string Serial, DateTimeOffset Deadline)> _added = Channel.CreateUnbounded<(Guid, string, DateTimeOffset)>();

    public void Watch(Guid id, string serial, DateTimeOffset deadline) => _added.Writer.TryWrite((id, serial, deadline));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watched = new List<(Guid Id, string Serial, DateTimeOffset Deadline)>();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(500), clock);
        try
        {
            while (true)
            {
                if (watched.Count == 0) watched.Add(await _added.Reader.ReadAsync(stoppingToken));
                else await tick.WaitForNextTickAsync(stoppingToken);
                while (_added.Reader.TryRead(out var more)) watched.Add(more);
                foreach (var entry in watched.ToList())
                {
                    try
                    {
                        if (await CheckAsync(entry.Id, entry.Serial, entry.Deadline, stoppingToken)) watched.Remove(entry);
                    }
                    catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or DbUpdateException)
                    {
                        logger.LogWarning("The installation of certificate {Id} could not be checked: {Error}", entry.Id, e.Message);
                        if (clock.GetUtcNow() > entry.Deadline) watched.Remove(entry);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Records the step and returns true once it is installed everywhere or the wait is over.</summary>
    private async Task<bool> CheckAsync(Guid id, string serial, DateTimeOffset deadline, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var certificates = scope.ServiceProvider.GetRequiredService<CertificateService>();
        var nodes = certificates.NodeNames;
        var console = certificates.ServesConsole;
        var serving = certificates.ServingNodes(serial);
        var https = console && certificates.ConsoleServes(serial);
        if ((serving.Count < nodes.Count || console != https) && clock.GetUtcNow() <= deadline) return false;

        var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
        var certificate = await db.ServerCertificates.SingleOrDefaultAsync(c => c.Id == id, ct);
        // Deleted, or issued again meanwhile: the newer issuance reports for itself.
        if (certificate is null || certificate.SerialNumber != serial) return true;
        var missing = nodes.Except(serving).ToList();
        var where = nodes.Count == 0 ? "no engine node (none is configured)" : $"{serving.Count} of {nodes.Count} engine node(s){(serving.Count > 0 ? " (" + string.Join(", ", serving) + ")" : "")}";
        var consoleSays = !console ? "" : https ? "; the console's HTTPS serves it" : "; the console's HTTPS has not loaded it yet";
        var late = missing.Count > 0 ? $"; not yet on {string.Join(", ", missing)} after {certificates.Options.InstallWait.TotalSeconds:0} s (see the Engine page)" : "";
        db.CertificateEvents.Add(certificates.Event(certificate, "installed", $"Installed on {where}{consoleSays}{late}."));
        await db.SaveChangesAsync(ct);
        return true;
    }
}
