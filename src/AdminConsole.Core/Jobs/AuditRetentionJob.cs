using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Jobs;

public sealed class AuditRetentionOptions
{
    public const string Section = "Audit";

    /// <summary>How long audit events are kept; 400 days covers a yearly review with margin.</summary>
    public int RetentionDays { get; set; } = 400;
}

/// <summary>A recurring Hangfire job that deletes audit events older than the retention period.</summary>
public sealed class AuditRetentionJob(AdminDbContext db, TimeProvider clock, IOptions<AuditRetentionOptions> options)
{
    public const string RecurringJobId = "audit-retention";

    public Task<int> RunAsync(CancellationToken ct = default)
    {
        var cutoff = clock.GetUtcNow().AddDays(-Math.Max(1, options.Value.RetentionDays));
        return db.AuditEvents.Where(e => e.At < cutoff).ExecuteDeleteAsync(ct);
    }
}
