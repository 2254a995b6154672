namespace MailEngine.Contracts;

/// <summary>
/// A report that arrived at one of our report addresses (dmarc-reports@, tls-reports@): a DMARC
/// aggregate report (RFC 7489 §7.2) or a TLS report (RFC 8460), parsed by the node that received it,
/// or the reason it was refused (not a report, a zip bomb, XML that does not read).
/// </summary>
/// <param name="Id">The node's name for it, unique on that node.</param>
/// <param name="Kind">"dmarc" or "tls".</param>
/// <param name="Domain">Our domain the report is about (the policy domain), lower case; for a refused one, the recipient's domain.</param>
/// <param name="Refused">Why it was not read ("report refused: …"); null for a report.</param>
public sealed record ReceivedReport(
    string Id,
    string Kind,
    DateTimeOffset ReceivedAt,
    string Recipient,
    string Domain,
    string Organization,
    string ReportId,
    DateTimeOffset Begin,
    DateTimeOffset End,
    IReadOnlyList<ReceivedDmarcRow> Rows,
    IReadOnlyList<ReceivedTlsPolicy> Policies,
    string? Refused = null)
{
    public const string Dmarc = "dmarc";
    public const string Tls = "tls";
}

/// <summary>One row of an aggregate report: messages from one source with one outcome.</summary>
/// <param name="DkimDomains">The d= of the signatures that passed, space-separated ("" when none).</param>
public sealed record ReceivedDmarcRow(string SourceIp, long Count, string Disposition, bool DkimAligned, bool SpfAligned, string HeaderFrom, string DkimDomains, string SpfDomain, string SpfResult);

/// <summary>One policy of a TLS report (RFC 8460 §4.4): sessions that succeeded, failed, and the failure types seen.</summary>
public sealed record ReceivedTlsPolicy(string PolicyType, string PolicyDomain, long Successes, long Failures, IReadOnlyList<string> FailureTypes);
