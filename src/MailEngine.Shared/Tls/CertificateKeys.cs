using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailEngine.Tls;

/// <summary>A certificate joined with its private key, as the console stores it and the snapshot carries it (PKCS#8).</summary>
public static class CertificateKeys
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    /// <summary>
    /// The certificate with the PKCS#8 key (ECDSA or RSA, by the certificate's key algorithm). Throws
    /// CryptographicException for an unreadable key and ArgumentException for a key of another certificate.
    /// </summary>
    public static X509Certificate2 WithPrivateKey(X509Certificate2 certificate, ReadOnlySpan<byte> pkcs8)
    {
        if (certificate.GetKeyAlgorithm() == EcPublicKeyOid)
        {
            using var ec = ECDsa.Create();
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            return certificate.CopyWithPrivateKey(ec);
        }

        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return certificate.CopyWithPrivateKey(rsa);
    }

    public static bool IsEcdsa(X509Certificate2 certificate) => certificate.GetKeyAlgorithm() == EcPublicKeyOid;
}
