using MimeKit.Cryptography;

namespace MailEngine.Auth.Arc;

/// <summary>The chain's validation (RFC 8617 §4.4: the cv= values, and the A-R method "arc", §10.1).</summary>
public enum ArcResult { None, Pass, Fail }

/// <summary>One ARC-Seal of the chain: who sealed which instance, with what cv=, and whether its signature verified.</summary>
public sealed record ArcSealInfo(int Instance, string Domain, string Selector, string ChainValidation, bool Verified);

/// <summary>
/// What the ARC chain of a message says (RFC 8617 §5.2): none, pass or fail with the reason, every
/// seal, and the newest hop's ARC-Authentication-Results (what the last forwarder saw on arrival).
/// </summary>
public sealed record ArcVerdict(ArcResult Result, string Reason, IReadOnlyList<ArcSealInfo> Seals, AuthenticationResults? NewestResults)
{
    public static ArcVerdict None { get; } = new(ArcResult.None, "the message has no ARC sets", [], null);

    public string Keyword => Result.ToString().ToLowerInvariant();

    /// <summary>d= of the newest ARC-Seal: the forwarder that handed us the message.</summary>
    public string? NewestSealer => Seals.Count > 0 ? Seals[^1].Domain : null;

    /// <summary>
    /// Whether a forwarder the domain trusts vouches for the sender (RFC 8617 §7.2): the chain passes,
    /// the newest seal is by a listed domain (or a subdomain of one), and its ARC-Authentication-Results
    /// say DMARC passed when the message reached it.
    /// </summary>
    public bool Vouches(IReadOnlyCollection<string>? trustedSealers) =>
        Result == ArcResult.Pass && NewestSealer is { } sealer && trustedSealers is { Count: > 0 }
        && trustedSealers.Any(t => sealer.Equals(t, StringComparison.OrdinalIgnoreCase) || sealer.EndsWith("." + t, StringComparison.OrdinalIgnoreCase))
        && NewestResults?.Results.Any(r => r.Method.Equals("dmarc", StringComparison.OrdinalIgnoreCase) && r.Result.Equals("pass", StringComparison.OrdinalIgnoreCase)) == true;

    /// <summary>What the newest forwarder's results said, for the header comment and the operator tool ("spf=fail dkim=pass dmarc=pass").</summary>
    public string NewestResultsText => NewestResults is null ? "" : string.Join(' ', NewestResults.Results.Select(r => $"{r.Method}={r.Result}"));
}
