using AdminConsole.Core.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Certificates;

/// <summary>
/// Hourly: issues every ACME certificate that is due (never issued, or past its renewal time) and not
/// waiting out a failure's back-off. Also the job a request or a "renew now" starts for one certificate.
/// </summary>
public sealed class CertificateRenewalJob(AdminDbContext db, CertificateIssuer issuer, TimeProvider clock)
{
    public const string RecurringJobId = "certificate-renewal";

    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await db.ServerCertificates.AsNoTracking()
            .Where(c => c.Source == CertificateSource.Acme && c.RevokedAt == null && (c.ChainPem == null || c.RenewAt <= now) && (c.NextAttemptAt == null || c.NextAttemptAt <= now))
            .OrderBy(c => c.NotAfter).Select(c => c.Id).ToListAsync(ct);
        foreach (var id in due) await issuer.IssueAsync(id, ct);
    }

    /// <summary>One certificate, now (the back-off was cleared by the caller).</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunOneAsync(Guid id, CancellationToken ct) => issuer.IssueAsync(id, ct);
}
