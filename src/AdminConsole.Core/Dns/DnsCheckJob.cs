using AdminConsole.Core.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AdminConsole.Core.Dns;

/// <summary>
/// Checks the domains' records against their name servers, keeping the history: every domain daily,
/// and every ten minutes the domains whose records changed since their last check (a new domain, a
/// DKIM key, an MTA-STS or DMARC setting), so the page and the dashboard follow a change at once.
/// </summary>
public sealed class DnsCheckJob(AdminDbContext db, DnsRecordService records, TimeProvider clock, ILogger<DnsCheckJob> logger)
{
    public const string RecurringJobId = "dns-check";
    public const string ChangedJobId = "dns-check-changed";

    /// <summary>A domain whose last check could not ask anyone (no zone yet) is asked again after this, not every ten minutes.</summary>
    public static readonly TimeSpan RetryAfterError = TimeSpan.FromHours(1);

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        foreach (var domain in await DomainsAsync(ct)) await CheckAsync(domain, ct);
    }

    [AutomaticRetry(Attempts = 0)]
    public async Task RunChangedAsync(CancellationToken ct)
    {
        foreach (var domain in await DomainsAsync(ct))
        {
            var last = (await records.ChecksAsync(domain, 1, ct)).FirstOrDefault();
            var due = last switch
            {
                null => true,
                { Error: not null } => last.CheckedAt + RetryAfterError <= clock.GetUtcNow(),
                _ => !Same(await records.ForAsync(domain, ct), last),
            };
            if (due) await CheckAsync(domain, ct);
        }
    }

    /// <summary>Whether a check looked at exactly the records the domain needs now.</summary>
    private static bool Same(DomainRecords now, DnsCheckResult check) =>
        now.Records.Where(r => r.InZone).Select(r => (r.Name, r.Type, r.Value)).ToHashSet()
            .SetEquals(check.Records.Select(r => (r.Name, r.Type, r.Expected)));

    private Task<List<string>> DomainsAsync(CancellationToken ct) => db.Domains.AsNoTracking().OrderBy(d => d.Name).Select(d => d.Name).ToListAsync(ct);

    private async Task CheckAsync(string domain, CancellationToken ct)
    {
        var result = await records.CheckAsync(domain, ct);
        if (result.Error is not null) logger.LogWarning("DNS check of {Domain}: {Error}", domain, result.Error);
        else if (result.Broken > 0) logger.LogWarning("DNS check of {Domain}: {Broken} record(s) do not match", domain, result.Broken);
    }
}
