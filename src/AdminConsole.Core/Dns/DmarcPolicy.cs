namespace AdminConsole.Core.Dns;

/// <summary>
/// What a domain's DMARC record asks receivers to do with mail that fails alignment (RFC 7489 §6.3 p=),
/// taken in steps: monitor the reports first, then quarantine, then reject, as RFC 7489 §10.3 and
/// every deployment guide advise, so no legitimate sender (a newsletter tool, a forgotten server) is
/// cut off before the reports have shown it.
/// </summary>
public enum DmarcPolicy
{
    /// <summary>p=none: receivers deliver as they would and send aggregate reports.</summary>
    None,

    /// <summary>p=quarantine: failing mail goes to spam.</summary>
    Quarantine,

    /// <summary>p=reject: failing mail is refused at SMTP time.</summary>
    Reject,
}

public static class DmarcPolicies
{
    /// <summary>The record's value: the policy and where the aggregate reports go (rua, RFC 7489 §6.3).</summary>
    public static string Record(DmarcPolicy policy, string domain) => $"v=DMARC1; p={policy.ToString().ToLowerInvariant()}; rua=mailto:{ReportAddress(domain)}";

    /// <summary>Our own report mailbox for the domain, where the receivers' aggregate reports arrive.</summary>
    public static string ReportAddress(string domain) => $"dmarc-reports@{domain}";

    /// <summary>The one-line why of the record, with the next step.</summary>
    public static string Purpose(DmarcPolicy policy) => policy switch
    {
        DmarcPolicy.None => "DMARC (RFC 7489), step 1 of 3, monitoring: receivers deliver as usual and report which servers send as this domain. When the reports show only your own servers, passing SPF or DKIM, go to quarantine.",
        DmarcPolicy.Quarantine => "DMARC (RFC 7489), step 2 of 3: mail that fails SPF and DKIM alignment goes to spam. When the reports stay clean for a few weeks, go to reject.",
        _ => "DMARC (RFC 7489), step 3 of 3: mail that fails SPF and DKIM alignment is refused. Full protection against spoofing of this domain.",
    };
}
