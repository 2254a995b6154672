namespace MailEngine.Auth.Dmarc.Reports;

/// <summary>
/// One message's DMARC evaluation as an aggregate report needs it (RFC 7489 Appendix C: row,
/// identifiers, auth_results, and the policy published): written at the end of DATA for every
/// message whose From: domain publishes DMARC with rua=, refused ones included.
/// </summary>
/// <param name="Disposition">What we did: none, quarantine (Junk) or reject (refused at DATA).</param>
/// <param name="Override">RFC 7489's PolicyOverrideType when we did less than the policy asked: sampled_out, trusted_forwarder, local_policy.</param>
public sealed record DmarcObservation(
    DateTimeOffset At,
    string SourceIp,
    string HeaderFrom,
    string EnvelopeFrom,
    string EnvelopeTo,
    DmarcPublished Published,
    string Disposition,
    bool DkimAligned,
    bool SpfAligned,
    string? Override,
    string? OverrideComment,
    IReadOnlyList<DmarcDkimResult> Dkim,
    DmarcSpfResult Spf);

public static class DmarcObservations
{
    /// <summary>
    /// The observation of a message whose sender's DMARC record asks for aggregate reports; null when
    /// there is nothing to report (no record, no rua=).
    /// </summary>
    /// <param name="applied">What we did: refused (reject), Junked (quarantine) or delivered (none).</param>
    /// <param name="trustedSealer">The forwarder whose ARC seal made us not act on a failure, if one did.</param>
    public static DmarcObservation? Of(AuthenticationReport report, string client, string envelopeTo, DmarcPolicy applied, string? trustedSealer, DateTimeOffset at)
    {
        if (report.Dmarc is not { Record: { AggregateReports.Count: > 0 } record, Policy: { } policy } dmarc) return null;
        string? type = null, comment = null;
        if (dmarc.Result == DmarcResult.Fail && applied < policy)
        {
            (type, comment) = dmarc.Disposition < policy ? ("sampled_out", $"pct={record.Percent}")
                : trustedSealer is not null ? ("trusted_forwarder", $"ARC sealed by {trustedSealer}, which saw DMARC pass")
                : ("local_policy", "the receiving domain only records or quarantines DMARC failures");
        }

        var spf = report.MailFromSpf is { } s
            ? new DmarcSpfResult(s.Domain, report.MailFrom.Length > 0 ? "mfrom" : "helo", s.Keyword)
            : new DmarcSpfResult(report.Helo, "helo", "none");
        return new DmarcObservation(
            at, client, dmarc.FromDomain, report.MailFrom.Length > 0 ? Addressing.EmailAddress.DomainOf(report.MailFrom).ToLowerInvariant() : report.Helo,
            envelopeTo,
            new DmarcPublished(dmarc.PolicyDomain ?? dmarc.FromDomain, Letter(record.DkimAlignment), Letter(record.SpfAlignment), DmarcVerdict.Name(record.Policy),
                DmarcVerdict.Name(record.SubdomainPolicy ?? record.Policy), record.Percent, record.FailureOptions.Length > 0 ? record.FailureOptions : "0",
                [.. record.AggregateReports.Select(u => new DmarcPublishedUri(u.Uri, u.MaxBytes))]),
            DmarcVerdict.Name(applied), dmarc.DkimAligned, dmarc.SpfAligned, type, comment,
            [.. report.Dkim.Where(d => d.Domain.Length > 0).Select(d => new DmarcDkimResult(d.Domain, d.Selector, d.Keyword))],
            spf);
    }

    private static string Letter(DmarcAlignment alignment) => alignment == DmarcAlignment.Strict ? "s" : "r";
}

/// <summary>The policy_published of a report: the record as the sending domain published it.</summary>
/// <param name="Rua">The rua= URIs, with their size limits ("mailto:a@b.example!10m").</param>
/// <param name="Fo">The failure reporting options (fo=, "0" by default).</param>
public sealed record DmarcPublished(string Domain, string Adkim, string Aspf, string P, string Sp, int Pct, string Fo, IReadOnlyList<DmarcPublishedUri> Rua);

public sealed record DmarcPublishedUri(string Uri, long? MaxBytes);

public sealed record DmarcDkimResult(string Domain, string Selector, string Result);

/// <param name="Scope">mfrom or helo: which identity SPF checked (RFC 7208 §2.3, §2.4).</param>
public sealed record DmarcSpfResult(string Domain, string Scope, string Result);
