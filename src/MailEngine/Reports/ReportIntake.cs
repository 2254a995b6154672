using MailEngine.Contracts;
using MailEngine.Control;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailEngine.Reports;

/// <summary>
/// Reads the reports that arrive at our domains' report addresses (the rua= of our DMARC records,
/// dmarc-reports@, and of our TLS-RPT records, tls-reports@, as the DNS page publishes them): each is
/// parsed once, as it is accepted, and kept for the console's Reports page. The message itself is
/// delivered as any other (to the mailbox or group at that address, when there is one). What cannot
/// be read is kept too, with the reason, so the page can say "report refused: …".
/// </summary>
public sealed class ReportIntake(ReceivedReportStore store, TimeProvider clock, ILogger logger)
{
    public const string DmarcLocalPart = "dmarc-reports";
    public const string TlsLocalPart = "tls-reports";

    /// <summary>The report address among the recipients (its original form: a group at that address counts), or null.</summary>
    public static string? ReportRecipient(Queue.Envelope envelope, SnapshotIndex snapshot) =>
        envelope.Targets.Select(t => t.OriginalRecipient).FirstOrDefault(a =>
        {
            var at = a.LastIndexOf('@');
            return at > 0 && a[..at].ToLowerInvariant() is DmarcLocalPart or TlsLocalPart && snapshot.Domain(a[(at + 1)..].ToLowerInvariant()) is not null;
        });

    public void Take(string queueId, string recipient, Stream message)
    {
        var now = clock.GetUtcNow();
        var tlsAddress = recipient.StartsWith(TlsLocalPart + "@", StringComparison.OrdinalIgnoreCase);
        ReceivedReport report;
        string from = "";
        try
        {
            var parsed = MimeMessage.Load(message);
            from = parsed.From.Mailboxes.FirstOrDefault()?.Address ?? "";
            var (content, tlsType) = ReportAttachment.Extract(parsed);
            report = tlsAddress || tlsType ? TlsReportReader.Read(content, queueId, now, recipient) : DmarcReportReader.Read(content, queueId, now, recipient);
        }
        catch (Exception e) when (e is ReportRefusedException or FormatException)
        {
            var reason = e is ReportRefusedException ? e.Message : $"report refused: the message cannot be read ({e.Message})";
            report = new ReceivedReport(queueId, tlsAddress ? ReceivedReport.Tls : ReceivedReport.Dmarc, now, recipient,
                Addressing.EmailAddress.DomainOf(recipient).ToLowerInvariant(), from, "", now, now, [], [], reason);
        }

        try
        {
            store.Add(report);
            logger.LogInformation("Report {QueueId} to {Recipient}: {Kind} from {Organization} about {Domain}{Refused}", queueId, recipient, report.Kind, report.Organization, report.Domain,
                report.Refused is { } why ? $" ({why})" : $", {report.Rows.Sum(r => r.Count) + report.Policies.Sum(p => p.Successes + p.Failures)} messages/sessions");
        }
        catch (IOException e)
        {
            logger.LogWarning("Report {QueueId} to {Recipient} could not be kept: {Error}", queueId, recipient, e.Message);
        }
    }
}
