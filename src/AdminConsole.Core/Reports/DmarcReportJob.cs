using AdminConsole.Core.Engine;
using Hangfire;
using MailEngine.Contracts;
using Microsoft.Extensions.Logging;

namespace AdminConsole.Core.Reports;

/// <summary>
/// Daily, shortly after midnight UTC: every engine node sends yesterday's DMARC aggregate reports
/// (RFC 7489 §7.2) to the sending domains that ask for them. Each node reports the mail it received;
/// a node that cannot be reached is logged and the others still send; a node that already sent a
/// day's report of a domain does not send it again, so a retried or repeated run is harmless.
/// </summary>
public sealed class DmarcReportJob(EngineNodes nodes, TimeProvider clock, ILogger<DmarcReportJob> logger)
{
    public const string RecurringJobId = "dmarc-reports";

    [AutomaticRetry(Attempts = 3)]
    public Task RunAsync(CancellationToken ct) => SendAsync(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-1), ct);

    /// <summary>Sends <paramref name="day"/>'s reports from every node; the result per node, or its error.</summary>
    public async Task<IReadOnlyList<(string Node, DmarcReportRun? Run, string? Error)>> SendAsync(DateOnly day, CancellationToken ct)
    {
        var results = new List<(string, DmarcReportRun?, string?)>();
        foreach (var node in nodes.All)
        {
            try
            {
                var run = await node.SendDmarcReportsAsync(day, ct);
                logger.LogInformation("DMARC reports of {Day} from {Node}: {Count} domains ({Sent} sent, {Refused} destinations refused)",
                    day, node.Name, run.Reports.Count, run.Reports.Count(r => r.SentTo.Count > 0), run.Reports.Sum(r => r.Refused.Count));
                results.Add((node.Name, run, null));
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException or EngineNodeException)
            {
                logger.LogWarning("DMARC reports of {Day} from {Node} failed: {Error}", day, node.Name, e.Message);
                results.Add((node.Name, null, e.Message));
            }
        }

        return results;
    }
}
