namespace AdminConsole.Core.Certificates;

/// <summary>Where a server certificate comes from.</summary>
public enum CertificateSource
{
    /// <summary>Issued by an ACME CA (RFC 8555) and renewed by the console.</summary>
    Acme,

    /// <summary>Uploaded by an admin (PEM chain and key, or PKCS#12); renewed by uploading again.</summary>
    Upload,
}
