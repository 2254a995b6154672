using System.Net;
using AdminConsole.Core;
using AdminConsole.Core.Data;
using AdminConsole.Core.Reports;
using MailEngine.Contracts;
using MailEngine.Dns;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Reports;

/// <summary>
/// What the reports others sent about a domain say, over the last days: DMARC pass and fail per day,
/// the sources that sent as the domain (with their reverse names and whether SPF and DKIM aligned),
/// what a stricter policy would do to the mail that fails today, the TLS reports, and the messages at
/// the report addresses that could not be read. The Reports page and the API show the same.
/// </summary>
public sealed class DomainReports(AdminDbContext db, IConfiguration configuration, TimeProvider clock)
{
    public const int MaxDays = 366;
    public const int TopSources = 20;

    public sealed record DmarcDay(DateOnly Day, long Pass, long Fail);

    public sealed record ReportSource(string SourceIp, string? ReverseName, long Messages, long Pass, long Fail, long SpfAligned, long DkimAligned, IReadOnlyList<string> Reporters);

    /// <param name="FailingDelivered">Failing messages the receivers still delivered (disposition none): what quarantine would Junk and reject would refuse.</param>
    public sealed record PolicyImpact(string CurrentPolicy, long Failing, long FailingDelivered, double FailingPercent, int FailingSources, string Quarantine, string Reject);

    public sealed record AggregateReportSummary(string Organization, string ReportId, DateTimeOffset Begin, DateTimeOffset End, long Messages, long Fail);

    public sealed record TlsReportSummary(string Organization, string ReportId, DateTimeOffset Begin, string PolicyType, long Successes, long Failures, IReadOnlyList<string> FailureTypes);

    public sealed record ReportRefusal(DateTimeOffset ReceivedAt, string From, string Reason);

    public sealed record DomainReportsView(string Domain, int Days, long Messages, long Pass, long Fail, IReadOnlyList<DmarcDay> Daily, IReadOnlyList<ReportSource> Sources, PolicyImpact Impact,
        IReadOnlyList<AggregateReportSummary> Reports, IReadOnlyList<TlsReportSummary> Tls, IReadOnlyList<ReportRefusal> Refused);

    public async Task<DomainReportsView> TakeAsync(string? domainName, int days, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (days is < 1 or > MaxDays) errors.Add("days", $"Between 1 and {MaxDays} days.");
        errors.ThrowIfAny();
        var name = (domainName ?? "").Trim().ToLowerInvariant();
        var domain = await db.Domains.AsNoTracking().SingleOrDefaultAsync(d => d.Name == name, ct) ?? throw new DomainNotFoundException($"No domain {domainName}.");
        var from = clock.GetUtcNow().AddDays(-days);
        var stored = await db.DomainReports.AsNoTracking().Where(r => r.DomainId == domain.Id && (r.Begin >= from || (r.Refused != null && r.ReceivedAt >= from)))
            .OrderBy(r => r.Begin).ToListAsync(ct);
        var dmarc = stored.Where(r => r.Kind == ReceivedReport.Dmarc && r.Refused is null).Select(r => (Report: r, Rows: r.Rows)).ToList();
        var rows = dmarc.SelectMany(r => r.Rows.Select(row => (r.Report, Row: row))).ToList();
        static bool Passed(ReceivedDmarcRow row) => row.DkimAligned || row.SpfAligned;

        var daily = rows.GroupBy(r => DateOnly.FromDateTime(r.Report.Begin.UtcDateTime)).OrderBy(g => g.Key)
            .Select(g => new DmarcDay(g.Key, g.Where(r => Passed(r.Row)).Sum(r => r.Row.Count), g.Where(r => !Passed(r.Row)).Sum(r => r.Row.Count))).ToList();
        var sources = rows.GroupBy(r => r.Row.SourceIp).Select(g => new
        {
            Ip = g.Key,
            Messages = g.Sum(r => r.Row.Count),
            Pass = g.Where(r => Passed(r.Row)).Sum(r => r.Row.Count),
            Spf = g.Where(r => r.Row.SpfAligned).Sum(r => r.Row.Count),
            Dkim = g.Where(r => r.Row.DkimAligned).Sum(r => r.Row.Count),
            Reporters = g.Select(r => r.Report.Organization).Distinct().Order().ToList(),
        }).OrderByDescending(s => s.Messages).ThenBy(s => s.Ip, StringComparer.Ordinal).Take(TopSources).ToList();
        var dns = SystemDnsLookup.For(configuration["Engine:DnsServer"]);
        // The reverse names at once: a slow resolver costs one timeout, not twenty.
        var reverse = await Task.WhenAll(sources.Select(s => ReverseNameAsync(dns, s.Ip, ct)));
        var named = sources.Select((s, i) => new ReportSource(s.Ip, reverse[i], s.Messages, s.Pass, s.Messages - s.Pass, s.Spf, s.Dkim, s.Reporters)).ToList();

        var total = rows.Sum(r => r.Row.Count);
        var pass = rows.Where(r => Passed(r.Row)).Sum(r => r.Row.Count);
        var failing = rows.Where(r => !Passed(r.Row)).ToList();
        var delivered = failing.Where(r => r.Row.Disposition == "none").Sum(r => r.Row.Count);
        var failingSources = failing.Select(r => r.Row.SourceIp).Distinct().Count();
        var percent = total == 0 ? 0 : Math.Round(100.0 * (total - pass) / total, 1);
        var policy = domain.DmarcPolicy.ToString().ToLowerInvariant();
        var impact = new PolicyImpact(policy, total - pass, delivered, percent, failingSources,
            total == 0 ? "No reports yet: publish the DMARC record and wait a day or two for the first ones."
                : delivered == 0 ? "Nothing that fails is delivered now: quarantine changes nothing the reports show."
                : $"{delivered} failing message{(delivered == 1 ? "" : "s")} from {failingSources} source{(failingSources == 1 ? "" : "s")} would go to Junk instead of the inbox.",
            total == 0 ? "Reject would refuse what fails; with no reports, nobody can say what that is."
                : total - pass == 0 ? "Everything authenticated: reject would refuse nothing the reports show."
                : $"{total - pass} failing message{(total - pass == 1 ? "" : "s")} ({percent}% of all) would be refused; check the sources below are not yours first.");

        return new DomainReportsView(domain.Name, days, total, pass, total - pass, daily, named, impact,
            [.. dmarc.OrderByDescending(r => r.Report.Begin).Select(r => new AggregateReportSummary(r.Report.Organization, r.Report.ReportId, r.Report.Begin, r.Report.End, r.Rows.Sum(x => x.Count), r.Rows.Where(x => !Passed(x)).Sum(x => x.Count)))],
            [.. stored.Where(r => r.Kind == ReceivedReport.Tls && r.Refused is null).OrderByDescending(r => r.Begin)
                .SelectMany(r => r.Policies.Select(p => new TlsReportSummary(r.Organization, r.ReportId, r.Begin, p.PolicyType, p.Successes, p.Failures, p.FailureTypes)))],
            [.. stored.Where(r => r.Refused is not null).OrderByDescending(r => r.ReceivedAt).Select(r => new ReportRefusal(r.ReceivedAt, r.Organization, r.Refused!))]);
    }

    private static async Task<string?> ReverseNameAsync(IDnsLookup dns, string ip, CancellationToken ct)
    {
        if (!IPAddress.TryParse(ip, out var address)) return null;
        var answer = await dns.QueryAsync(DnsNames.Reverse(address), DnsRecordKind.Ptr, ct);
        return answer.Status == DnsLookupStatus.Failed ? null : answer.Values.FirstOrDefault();
    }
}
