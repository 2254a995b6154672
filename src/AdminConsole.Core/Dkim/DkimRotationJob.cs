using AdminConsole.Core.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AdminConsole.Core.Dkim;

/// <summary>
/// Hourly: moves every rotation under way one step on when it can (records found, grace period over,
/// records gone), and starts the rotation of a domain whose schedule says it is due.
/// </summary>
public sealed class DkimRotationJob(AdminDbContext db, DkimRotation rotation, TimeProvider clock, ILogger<DkimRotationJob> logger)
{
    public const string RecurringJobId = "dkim-rotation";
    public const string Actor = "system:dkim-rotation";

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        var domains = await db.Domains.AsNoTracking().Where(d => d.DkimKeys.Any()).OrderBy(d => d.Name).Select(d => d.Name).ToListAsync(ct);
        foreach (var domain in domains)
        {
            try
            {
                var status = await rotation.StatusAsync(domain, ct);
                var result = status.Step != DkimRotationStep.Idle ? await rotation.AdvanceAsync(domain, Actor, null, ct)
                    : status.Due is { } due && due <= clock.GetUtcNow() ? await rotation.StartAsync(domain, Actor, null, ct)
                    : null;
                foreach (var line in result?.Done ?? []) logger.LogInformation("DKIM rotation of {Domain}: {Done}", domain, line);
            }
            catch (DomainValidationException e)
            {
                // One domain's unreachable DNS server does not hold up the others; the page shows the same error on Continue.
                logger.LogWarning("DKIM rotation of {Domain} could not go on: {Error}", domain, e.Message);
            }
        }
    }
}
