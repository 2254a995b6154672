using System.Security.Cryptography;
using MailEngine.Addressing;
using MailEngine.Contracts;
using MailEngine.Dns;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailEngine.Auth.Dmarc.Reports;

/// <summary>
/// Sends one day's DMARC aggregate reports (RFC 7489 §7.2): for each sending domain that had mail
/// here and asks for reports (rua=mailto:), a gzip'd XML report from our report address, queued like
/// any mail the engine sends itself (so DKIM-signed for our domain). A destination outside the
/// sending domain's organization must authorize it (§7.1: a "v=DMARC1" record at
/// sender._report._dmarc.destination); a size limit (!10m) is honoured; each day and domain is sent once.
/// </summary>
/// <param name="queue">Queues one message the engine sends (sender, recipient, content); false when the recipient cannot be had.</param>
public sealed class DmarcReporter(
    DmarcObservationStore store, Control.EngineSnapshotStore snapshots, IDnsLookup dns, PublicSuffixList suffixes,
    Func<string, string, byte[], bool> queue, string hostName, TimeProvider clock, ILogger logger)
{
    public async Task<DmarcReportRun> SendAsync(DateOnly day, CancellationToken ct)
    {
        var (reportAddress, organization) = Submitter(snapshots.Current.Snapshot, hostName);
        var sent = new List<DmarcReportSent>();
        if (reportAddress is null) return new DmarcReportRun(day, sent);

        foreach (var domain in store.Read(day).GroupBy(o => o.Published.Domain.ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var observations = domain.ToList();
            if (store.WasSent(day, domain.Key))
            {
                sent.Add(new DmarcReportSent(domain.Key, observations.Count, 0, 0, [], [], AlreadySent: true));
                continue;
            }

            var report = new DmarcAggregateReport
            {
                OrganizationName = organization,
                ReportAddress = reportAddress,
                ReportId = $"{day:yyyyMMdd}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}@{hostName}",
                Day = day,
                Published = observations[^1].Published,
                Observations = observations,
            };
            var gzipped = report.Gzipped();
            var (to, refused) = (new List<string>(), new List<string>());
            foreach (var uri in report.Published.Rua)
            {
                var mailbox = uri.Uri.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? Uri.UnescapeDataString(uri.Uri[7..].Split('?')[0]) : null;
                if (mailbox is null || !EmailAddress.TryParse(mailbox, out var address, out _))
                {
                    refused.Add($"{uri.Uri}: only mailto: destinations are sent to");
                    continue;
                }

                if (await UnauthorizedAsync(domain.Key, address.Domain, ct) is { } why)
                {
                    refused.Add($"{address}: {why}");
                    continue;
                }

                // Built only for a destination that may have it: the To: field is the destination's.
                var content = Message(report, organization, gzipped, address.ToString());
                if (uri.MaxBytes is { } max && content.Length > max) refused.Add($"{address}: the report is {content.Length} bytes, over its limit of {max} (RFC 7489 §6.2)");
                else if (!queue(reportAddress, address.ToString(), content)) refused.Add($"{address}: the address cannot be delivered to");
                else to.Add(address.ToString());
            }

            store.MarkSent(day, domain.Key);
            logger.LogInformation("DMARC report for {Domain} ({Day}): {Messages} messages in {Rows} rows, {Bytes} bytes gzip'd; sent to {To}; refused {Refused}",
                domain.Key, day, observations.Count, report.Rows.Count, gzipped.Length, string.Join(", ", to), string.Join("; ", refused));
            sent.Add(new DmarcReportSent(domain.Key, observations.Count, report.Rows.Count, gzipped.Length, to, refused));
        }

        return new DmarcReportRun(day, sent);
    }

    /// <summary>
    /// Who our reports (DMARC and TLS) come from: Engine:Policy:ReportAddress, by default
    /// dmarc-reports@ of the first domain; the organization named in them, by default that address's domain.
    /// </summary>
    public static (string? Address, string Organization) Submitter(EngineSnapshot snapshot, string hostName)
    {
        var address = snapshot.Policy.ReportAddress ?? (snapshot.Domains.Count > 0 ? $"dmarc-reports@{snapshot.Domains[0].Name}" : null);
        return (address, snapshot.Policy.ReportOrganization ?? (address is null ? hostName : EmailAddress.DomainOf(address)));
    }

    /// <summary>
    /// RFC 7489 §7.1: a destination in another organization than the sending domain's takes its
    /// reports only when it says so at "sender._report._dmarc.destination"; null when it may be sent.
    /// </summary>
    private async Task<string?> UnauthorizedAsync(string policyDomain, string destination, CancellationToken ct)
    {
        var ours = suffixes.OrganizationalDomain(policyDomain) ?? policyDomain;
        if (string.Equals(ours, suffixes.OrganizationalDomain(destination) ?? destination, StringComparison.OrdinalIgnoreCase)) return null;
        var name = $"{policyDomain}._report._dmarc.{destination}";
        var answer = await dns.QueryAsync(name, DnsRecordKind.Txt, ct);
        if (answer.Status == DnsLookupStatus.Failed) return $"the lookup of {name} failed ({answer.Error}); not sent";
        return answer.Values.Any(v => v.TrimStart().StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase))
            ? null
            : $"{destination} is outside {ours} and does not authorize the reports at {name} (RFC 7489 §7.1)";
    }

    private byte[] Message(DmarcAggregateReport report, string organization, byte[] gzipped, string recipient) =>
        MailEngine.Reports.ReportMail.Compose(organization, report.ReportAddress, recipient, report.Published.Domain, report.ReportId,
            $"This is a DMARC aggregate report (RFC 7489) from {organization} for {report.Published.Domain}, {report.Day:yyyy-MM-dd} (UTC): "
                + $"{report.Observations.Count} message(s) from {report.Rows.Select(r => r.Sample.SourceIp).Distinct().Count()} address(es).\r\n",
            new Multipart("mixed"), "gzip", gzipped, report.FileName(organization), clock.GetUtcNow(), hostName);
}
