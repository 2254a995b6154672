namespace MailEngine.Auth.Spf;

/// <summary>The results of check_host() (RFC 7208 §2.6).</summary>
public enum SpfResult { None, Neutral, Pass, Fail, SoftFail, TempError, PermError }

/// <summary>
/// What an SPF check concluded and why: the domain whose policy decided, the term that matched
/// ("ip4:192.0.2.0/24", "-all"; null when none did), the explanation a Fail carries (exp=, §6.2)
/// and a reason in words for logs, the Authentication-Results header and the operator tool.
/// </summary>
public sealed record SpfVerdict(SpfResult Result, string Domain, string? Mechanism, string Reason, string? Explanation = null)
{
    /// <summary>The result as RFC 8601 §2.7.2 and Received-SPF write it: pass, fail, softfail, neutral, none, temperror, permerror.</summary>
    public string Keyword => Result.ToString().ToLowerInvariant();
}
