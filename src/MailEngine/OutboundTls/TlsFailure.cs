namespace MailEngine.OutboundTls;

/// <summary>Why a TLS session with an exchanger did not meet its policy, with the RFC 8460 §4.3 result type.</summary>
public sealed record TlsFailure(string ResultType, string Reason)
{
    public const string StartTlsNotSupported = "starttls-not-supported";
    public const string CertificateHostMismatch = "certificate-host-mismatch";
    public const string CertificateExpired = "certificate-expired";
    public const string CertificateNotTrusted = "certificate-not-trusted";
    public const string ValidationFailure = "validation-failure";
    public const string TlsaInvalid = "tlsa-invalid";
    public const string DnssecInvalid = "dnssec-invalid";
    public const string StsPolicyFetchError = "sts-policy-fetch-error";
    public const string StsPolicyInvalid = "sts-policy-invalid";
    public const string StsWebPkiInvalid = "sts-webpki-invalid";
}
