using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AdminConsole.Core.Certificates.Acme;

/// <summary>
/// The tls-alpn-01 challenge (RFC 8737): the CA connects to the name on port 443 offering only the
/// ALPN protocol "acme-tls/1", and the server answers with a self-signed certificate for that one
/// name carrying the critical acmeIdentifier extension whose value is the SHA-256 digest of the key
/// authorization. No HTTP is spoken on such a connection.
/// </summary>
public static class AcmeTlsAlpn
{
    /// <summary>The ALPN protocol name (RFC 8737 §6.2).</summary>
    public const string Protocol = "acme-tls/1";

    /// <summary>id-pe-acmeIdentifier (RFC 8737 §6.1).</summary>
    public const string IdentifierOid = "1.3.6.1.5.5.7.1.31";

    /// <summary>The challenge certificate for <paramref name="name"/> (§3), with its private key.</summary>
    public static X509Certificate2 Certificate(string name, string keyAuthorization)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={(name.Length <= 64 ? name : "acme-tls")}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509Extension(new Oid(IdentifierOid), IdentifierValue(keyAuthorization), critical: true));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));
    }

    /// <summary>The extension's value: <c>Authorization ::= OCTET STRING (SIZE (32))</c>, DER encoded.</summary>
    public static byte[] IdentifierValue(string keyAuthorization)
    {
        var digest = SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization));
        return [0x04, (byte)digest.Length, .. digest];
    }
}
