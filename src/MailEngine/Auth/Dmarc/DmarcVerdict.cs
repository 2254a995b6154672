namespace MailEngine.Auth.Dmarc;

/// <summary>The DMARC result (RFC 7489 §11.2, RFC 8601 §2.7.1 "dmarc=").</summary>
public enum DmarcResult { None, Pass, Fail, TempError, PermError }

/// <summary>
/// What DMARC concluded for one author domain: the result, the policy the domain asked for (p= or
/// sp= or np=, the one that applies to this From domain) and the disposition after pct=/t= (§6.6.4:
/// a message outside the sample gets the next policy down), which identifier aligned, and why.
/// </summary>
public sealed record DmarcVerdict(
    DmarcResult Result,
    string FromDomain,
    string Reason,
    DmarcPolicy? Policy = null,
    DmarcPolicy Disposition = DmarcPolicy.None,
    bool SpfAligned = false,
    bool DkimAligned = false,
    string? PolicyDomain = null,
    DmarcRecord? Record = null)
{
    public string Keyword => Result.ToString().ToLowerInvariant();

    /// <summary>The comment of the Authentication-Results method, as the large receivers write it: "p=reject dis=none".</summary>
    public string Comment => Policy is { } p ? $"p={Name(p)} dis={Name(Disposition)}" : Reason;

    public static string Name(DmarcPolicy policy) => policy.ToString().ToLowerInvariant();
}
