namespace MailEngine.Scanner;

/// <summary>
/// A symbol the inbound authentication checks (SPF, DKIM, DMARC, ARC) give the spam verdict, named and
/// scored like a rule, so a domain can change its score or turn it off on the spam rules page. The
/// scores are small except where a domain owner asked for action (DMARC p=quarantine/reject): most
/// legitimate mail authenticates, and much spam does too, so authentication alone decides little.
/// </summary>
public sealed record AuthenticationSymbol(string Name, double Score, string Description)
{
    public const string Target = "auth";

    public static readonly AuthenticationSymbol SpfPass = new("SPF_PASS", -0.2, "SPF: the sending host is allowed for the MAIL FROM domain");
    public static readonly AuthenticationSymbol SpfFail = new("SPF_FAIL", 1.5, "SPF: the MAIL FROM domain says this host may not send its mail (-all)");
    public static readonly AuthenticationSymbol SpfSoftFail = new("SPF_SOFTFAIL", 0.7, "SPF: the MAIL FROM domain says this host probably may not send its mail (~all)");
    public static readonly AuthenticationSymbol SpfNeutral = new("SPF_NEUTRAL", 0.1, "SPF: the MAIL FROM domain says nothing about this host (?all)");
    public static readonly AuthenticationSymbol SpfNone = new("SPF_NONE", 0.1, "SPF: the MAIL FROM domain publishes no SPF record");
    public static readonly AuthenticationSymbol SpfPermError = new("SPF_PERMERROR", 0.5, "SPF: the MAIL FROM domain's record is broken (syntax, too many lookups)");
    public static readonly AuthenticationSymbol SpfTempError = new("SPF_TEMPERROR", 0, "SPF: the DNS lookups failed for now");
    public static readonly AuthenticationSymbol SpfHeloFail = new("SPF_HELO_FAIL", 0.5, "SPF: the HELO name's domain says this host may not use it");
    public static readonly AuthenticationSymbol DkimValid = new("DKIM_VALID", -0.1, "DKIM: at least one valid signature");
    public static readonly AuthenticationSymbol DkimValidAuthor = new("DKIM_VALID_AU", -0.2, "DKIM: a valid signature of the From: domain (or its organization)");
    public static readonly AuthenticationSymbol DkimInvalid = new("DKIM_INVALID", 0.5, "DKIM: a signature that does not verify (altered, expired, revoked key)");
    public static readonly AuthenticationSymbol DkimTempError = new("DKIM_TEMPERROR", 0, "DKIM: a key lookup failed for now");
    public static readonly AuthenticationSymbol DmarcPass = new("DMARC_PASS", -0.2, "DMARC: the From: domain is authenticated by aligned SPF or DKIM");
    public static readonly AuthenticationSymbol DmarcPolicyNone = new("DMARC_POLICY_NONE", 0.5, "DMARC: fails, and the From: domain asks for no action (p=none)");
    public static readonly AuthenticationSymbol DmarcPolicyQuarantine = new("DMARC_POLICY_QUARANTINE", 2.5, "DMARC: fails, and the From: domain asks for quarantine (Junk)");
    public static readonly AuthenticationSymbol DmarcPolicyReject = new("DMARC_POLICY_REJECT", 3.5, "DMARC: fails, and the From: domain asks for rejection");
    public static readonly AuthenticationSymbol ArcValid = new("ARC_VALID", -0.1, "ARC: the forwarders' chain of custody validates (RFC 8617)");
    public static readonly AuthenticationSymbol ArcInvalid = new("ARC_INVALID", 0.5, "ARC: the message carries a broken chain (altered after a hop, or a seal that does not verify)");
    public static readonly AuthenticationSymbol ArcTrusted = new("ARC_TRUSTED", -0.5, "ARC: a forwarder this domain trusts says DMARC passed when it received the message (in place of DMARC_POLICY_*)");

    public static readonly IReadOnlyList<AuthenticationSymbol> All =
    [
        SpfPass, SpfFail, SpfSoftFail, SpfNeutral, SpfNone, SpfPermError, SpfTempError, SpfHeloFail,
        DkimValid, DkimValidAuthor, DkimInvalid, DkimTempError,
        DmarcPass, DmarcPolicyNone, DmarcPolicyQuarantine, DmarcPolicyReject,
        ArcValid, ArcInvalid, ArcTrusted,
    ];

    public static readonly IReadOnlyDictionary<string, double> Scores = All.ToDictionary(s => s.Name, s => s.Score, StringComparer.Ordinal);
}
