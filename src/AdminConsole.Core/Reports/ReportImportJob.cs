using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using Hangfire;
using MailEngine.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AdminConsole.Core.Reports;

/// <summary>
/// Every few minutes: the reports each engine node received at our report addresses since the last
/// one imported from it go into PostgreSQL, for the Reports page and GET /domains/{name}/reports. A
/// report about a domain that is not ours (any more) is skipped; one another node (or a resend) already
/// brought is not stored twice; a node that cannot be reached is tried again next time.
/// </summary>
public sealed class ReportImportJob(AdminDbContext db, EngineNodes nodes, ILogger<ReportImportJob> logger)
{
    public const string RecurringJobId = "report-import";

    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var imported = 0;
        foreach (var node in nodes.All)
        {
            IReadOnlyList<ReceivedReport> reports;
            var since = await db.DomainReports.Where(r => r.Node == node.Name).MaxAsync(r => (DateTimeOffset?)r.ReceivedAt, ct) ?? DateTimeOffset.MinValue;
            try
            {
                reports = await node.ReceivedReportsAsync(since, ct);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException or EngineNodeException)
            {
                logger.LogWarning("Reports from {Node} not imported: {Error}", node.Name, e.Message);
                continue;
            }

            var names = reports.Select(r => r.Domain).Distinct().ToList();
            var domains = await db.Domains.Where(d => names.Contains(d.Name)).ToDictionaryAsync(d => d.Name, d => d.Id, ct);
            foreach (var report in reports)
            {
                if (!domains.TryGetValue(report.Domain, out var domainId)) continue;
                if (await db.DomainReports.AnyAsync(r => (r.Node == node.Name && r.SourceId == report.Id)
                        || (report.Refused == null && report.ReportId != "" && r.DomainId == domainId && r.Kind == report.Kind && r.Organization == report.Organization && r.ReportId == report.ReportId), ct))
                    continue;
                db.DomainReports.Add(DomainReport.From(report, node.Name, domainId));
                await db.SaveChangesAsync(ct);
                imported++;
            }
        }

        if (imported > 0) logger.LogInformation("Imported {Count} reports", imported);
        return imported;
    }
}
