using System.Globalization;
using MailEngine.Auth.Dmarc;
using MailEngine.Contracts;
using MailEngine.Scanner;

namespace MailEngine.Policy;

/// <summary>The end-of-DATA decisions on facts the checks gathered (<see cref="EndOfDataChecks"/>): DMARC, spam verdict, then Sieve refusal.</summary>
public static class MessagePolicy
{
    /// <summary>
    /// Refused at DATA when the From: domain's DMARC disposition is reject and every recipient's
    /// domain enforces it (one that only quarantines or monitors takes the message, so nobody's copy
    /// is lost for another's setting).
    /// </summary>
    /// <param name="recipientDomains">The enforcement setting of each domain the message was addressed to.</param>
    public static PolicyDecision Dmarc(DmarcVerdict? dmarc, IReadOnlyCollection<DmarcEnforcement> recipientDomains) =>
        dmarc is { Result: DmarcResult.Fail, Disposition: DmarcPolicy.Reject } && recipientDomains.Count > 0 && recipientDomains.All(e => e == DmarcEnforcement.Enforce)
            ? PolicyDecision.Refuse(PolicyReason.DmarcReject, dmarc.FromDomain, dmarc.Reason)
            : PolicyDecision.Accept;

    /// <summary>Whether a domain's copy goes to Junk for DMARC: quarantine asked (or reject that was not refused), and the domain acts on it.</summary>
    public static bool DmarcQuarantines(DmarcVerdict? dmarc, DmarcEnforcement enforcement) =>
        dmarc is { Result: DmarcResult.Fail, Disposition: DmarcPolicy.Quarantine or DmarcPolicy.Reject } && enforcement != DmarcEnforcement.Monitor;

    /// <summary>
    /// Refused as spam when every recipient is local and every one of their domains says reject;
    /// otherwise the verdicts go with the message for delivery (headers, Junk).
    /// </summary>
    /// <param name="verdicts">Per scanned recipient domain.</param>
    /// <param name="recipientDomains">How many local recipient domains the message has (a domain with scanning off has no verdict).</param>
    public static PolicyDecision Spam(IReadOnlyDictionary<string, SpamVerdict> verdicts, bool allRecipientsLocal, int recipientDomains)
    {
        if (verdicts.Count == 0 || !allRecipientsLocal || verdicts.Count != recipientDomains || !verdicts.Values.All(v => v.Action == SpamAction.Reject))
            return PolicyDecision.Accept;
        var top = verdicts.Values.MaxBy(v => v.Score)!;
        return PolicyDecision.Refuse(PolicyReason.Spam, detail: top.Score.ToString("0.0", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Refused at DATA when every recipient's Sieve scripts refuse it (RFC 5429 2.1 prefers the
    /// protocol-level refusal); when only some do, it is accepted and each refusal is mailed after.
    /// </summary>
    /// <param name="refusals">Per recipient, its scripts' refusal reason or null; none when a recipient has no scripts.</param>
    public static PolicyDecision Sieve(IReadOnlyList<string?> refusals) =>
        refusals.Count > 0 && refusals.All(r => r is not null)
            ? PolicyDecision.Refuse(PolicyReason.SieveRefused, detail: refusals[0])
            : PolicyDecision.Accept;
}
