namespace MailEngine.OutboundTls;

/// <summary>
/// What one connection to one exchanger must meet, decided before it is made: opportunistic TLS
/// (RFC 7435), DANE (RFC 7672: TLS required and the certificate matched to the TLSA records),
/// or MTA-STS (RFC 8461: in enforce mode TLS required with a valid certificate for the MX name).
/// </summary>
/// <param name="Enforced">Delivery without TLS, or with a certificate that fails the policy, is refused.</param>
/// <param name="Refusal">The exchanger may not be used at all (not in the MTA-STS policy, TLSA unreadable); set only when enforced.</param>
/// <param name="ReportedFailure">A failure to report though delivery goes on (MTA-STS testing).</param>
public sealed record TlsRequirement(
    string PolicyType, bool Enforced, IReadOnlyList<string> PolicyStrings,
    IReadOnlyList<TlsaAssociation> Tlsa, IReadOnlyList<string> ReferenceNames, MtaStsPolicy? Sts,
    TlsFailure? Refusal = null, TlsFailure? ReportedFailure = null)
{
    public const string NoPolicy = "no-policy-found";
    public const string StsPolicy = "sts";
    public const string TlsaPolicy = "tlsa";

    public static readonly TlsRequirement Opportunistic = new(NoPolicy, false, [], [], [], null);

    public bool Dane => PolicyType == TlsaPolicy;

    public string Describe() => PolicyType switch
    {
        TlsaPolicy => "DANE",
        StsPolicy => Enforced ? "MTA-STS enforce" : "MTA-STS testing",
        _ => "opportunistic TLS",
    };
}
