using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailEngine.Tls;

/// <summary>
/// The fallback a server presents until it has a certificate from a CA: ECDSA P-256, for the host
/// name, "localhost" and 127.0.0.1, usable for TLS servers only. Clients warn about it, and the pages
/// say so.
/// </summary>
public static class SelfSignedCertificate
{
    public static X509Certificate2 Create(X500DistinguishedName subject, string hostName, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostName);
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        // id-kp-serverAuth (RFC 5280 §4.2.1.12).
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now + lifetime);
    }
}
