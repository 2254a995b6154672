using AdminConsole.Core.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AdminConsole.Core.Dns;

/// <summary>Checks every domain's records against its name servers (daily), keeping the history.</summary>
public sealed class DnsCheckJob(AdminDbContext db, DnsRecordService records, ILogger<DnsCheckJob> logger)
{
    public const string RecurringJobId = "dns-check";

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        foreach (var domain in await db.Domains.AsNoTracking().OrderBy(d => d.Name).Select(d => d.Name).ToListAsync(ct))
        {
            var result = await records.CheckAsync(domain, ct);
            if (result.Error is not null) logger.LogWarning("DNS check of {Domain}: {Error}", domain, result.Error);
            else if (result.Broken > 0) logger.LogWarning("DNS check of {Domain}: {Broken} record(s) do not match", domain, result.Broken);
        }
    }
}
