namespace MailEngine.Contracts;

/// <summary>What a node did when asked to send one day's reports: DMARC aggregate reports (RFC 7489 §7.2) and TLS reports (RFC 8460).</summary>
/// <param name="Day">The UTC day reported.</param>
/// <param name="Reports">One per sending domain that had mail here that day and asks for reports.</param>
/// <param name="TlsReports">One per recipient domain we delivered to (or tried) that day that publishes _smtp._tls.</param>
public sealed record DmarcReportRun(DateOnly Day, IReadOnlyList<DmarcReportSent> Reports, IReadOnlyList<TlsReportSent>? TlsReports = null)
{
    /// <summary>How many days back a node keeps the evaluations a report is made of.</summary>
    public const int KeptDays = 14;
}

/// <param name="PolicyDomain">The domain whose DMARC record was applied (the From: domain or its organization).</param>
/// <param name="Messages">How many messages the report counts.</param>
/// <param name="Rows">How many rows (source address and outcome) it has.</param>
/// <param name="Bytes">The gzip'd report's size.</param>
/// <param name="SentTo">The rua= addresses it was queued to.</param>
/// <param name="Refused">Addresses it was not sent to, each with the reason (an external destination that does not
/// authorize it, RFC 7489 §7.1; a size limit, §6.2; not mailto:).</param>
/// <param name="AlreadySent">The report of this day and domain had been sent before: nothing is sent twice.</param>
public sealed record DmarcReportSent(string PolicyDomain, int Messages, int Rows, long Bytes, IReadOnlyList<string> SentTo, IReadOnlyList<string> Refused, bool AlreadySent = false);

/// <param name="PolicyDomain">The recipient domain the report is about (its _smtp._tls record asked for it).</param>
/// <param name="Successful">TLS sessions that met the domain's policy.</param>
/// <param name="Failed">Sessions that did not, or could not be made (RFC 8460 §4.3 result types).</param>
/// <param name="Bytes">The gzip'd report's size.</param>
/// <param name="SentTo">The rua= addresses it was queued to.</param>
/// <param name="Refused">Destinations it was not sent to, with the reason.</param>
/// <param name="AlreadySent">Sent before for this day and domain: nothing is sent twice.</param>
public sealed record TlsReportSent(string PolicyDomain, int Successful, int Failed, long Bytes, IReadOnlyList<string> SentTo, IReadOnlyList<string> Refused, bool AlreadySent = false);
