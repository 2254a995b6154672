using System.Security.Cryptography;
using MailEngine.Addressing;
using MailEngine.Contracts;
using MailEngine.Dns;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailEngine.OutboundTls;

/// <summary>
/// Sends one day's SMTP TLS reports (RFC 8460 §3, §5): for each recipient domain we delivered to (or
/// tried) that publishes "v=TLSRPTv1; rua=mailto:…" at _smtp._tls.&lt;domain&gt;, a gzip'd JSON report
/// in a multipart/report (report-type=tlsrpt) from our report address, queued like any mail the
/// engine sends itself (so DKIM-signed, as §5.3 asks). Each day and domain is sent once.
/// </summary>
/// <param name="queue">Queues one message the engine sends (sender, recipient, content); false when the recipient cannot be had.</param>
public sealed class TlsReporter(
    TlsSessionStore store, Control.EngineSnapshotStore snapshots, IDnsLookup dns,
    Func<string, string, byte[], bool> queue, string hostName, TimeProvider clock, ILogger logger)
{
    public async Task<IReadOnlyList<TlsReportSent>> SendAsync(DateOnly day, CancellationToken ct)
    {
        var (reportAddress, organization) = Auth.Dmarc.Reports.DmarcReporter.Submitter(snapshots.Current.Snapshot, hostName);
        var sent = new List<TlsReportSent>();
        if (reportAddress is null) return sent;

        foreach (var domain in store.Read(day).GroupBy(s => s.Domain).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var sessions = domain.ToList();
            var successful = sessions.Count(s => s.Success);
            if (store.WasSent(day, domain.Key))
            {
                sent.Add(new TlsReportSent(domain.Key, successful, sessions.Count - successful, 0, [], [], AlreadySent: true));
                continue;
            }

            var destinations = await DestinationsAsync(domain.Key, ct);
            if (destinations is null) continue; // the domain asks for no reports: nothing to send, nothing to note

            var report = new TlsReport
            {
                OrganizationName = organization,
                ContactInfo = reportAddress,
                ReportId = $"{day:yyyyMMdd}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}@{hostName}",
                Day = day,
                PolicyDomain = domain.Key,
                Sessions = sessions,
            };
            var gzipped = report.Gzipped();
            var (to, refused) = (new List<string>(), new List<string>());
            foreach (var uri in destinations)
            {
                var mailbox = uri.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? Uri.UnescapeDataString(uri[7..].Split('?')[0]) : null;
                if (mailbox is null || !EmailAddress.TryParse(mailbox, out var address, out _))
                {
                    refused.Add($"{uri}: only mailto: destinations are sent to");
                    continue;
                }

                if (!queue(reportAddress, address.ToString(), Message(report, organization, gzipped, address.ToString()))) refused.Add($"{address}: the address cannot be delivered to");
                else to.Add(address.ToString());
            }

            store.MarkSent(day, domain.Key);
            logger.LogInformation("TLS report for {Domain} ({Day}): {Successful} successful, {Failed} failed sessions, {Bytes} bytes gzip'd; sent to {To}; refused {Refused}",
                domain.Key, day, report.Successful, report.Failed, gzipped.Length, string.Join(", ", to), string.Join("; ", refused));
            sent.Add(new TlsReportSent(domain.Key, report.Successful, report.Failed, gzipped.Length, to, refused));
        }

        return sent;
    }

    /// <summary>§3: the rua= URIs of the one "v=TLSRPTv1" record at _smtp._tls.&lt;domain&gt;; null when there is none (or more than one).</summary>
    private async Task<IReadOnlyList<string>?> DestinationsAsync(string domain, CancellationToken ct)
    {
        var answer = await dns.QueryAsync($"_smtp._tls.{domain}", DnsRecordKind.Txt, ct);
        var records = answer.Values.Where(v => v.StartsWith("v=TLSRPTv1", StringComparison.Ordinal)).ToList();
        if (records.Count != 1) return null;
        foreach (var field in records[0].Split(';'))
        {
            var kv = field.Trim();
            if (kv.StartsWith("rua=", StringComparison.Ordinal))
                return [.. kv[4..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        return null;
    }

    /// <summary>§5.3: a multipart/report (report-type=tlsrpt) with the TLS-Report-Domain and TLS-Report-Submitter fields.</summary>
    private byte[] Message(TlsReport report, string organization, byte[] gzipped, string recipient) =>
        MailEngine.Reports.ReportMail.Compose(organization, report.ContactInfo, recipient, report.PolicyDomain, report.ReportId,
            $"This is an SMTP TLS report (RFC 8460) from {organization} for {report.PolicyDomain}, {report.Day:yyyy-MM-dd} (UTC): "
                + $"{report.Successful} successful and {report.Failed} failed TLS session(s).\r\n",
            new MultipartReport("tlsrpt"), "tlsrpt+gzip", gzipped, report.FileName(organization), clock.GetUtcNow(), hostName,
            ("TLS-Report-Domain", report.PolicyDomain), ("TLS-Report-Submitter", organization));
}
