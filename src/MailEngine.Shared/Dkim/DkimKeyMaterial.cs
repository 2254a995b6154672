using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace MailEngine.Dkim;

/// <summary>
/// DKIM key pairs in the two forms they live in: the private key as PKCS#8 DER (what the console
/// stores sealed and the snapshot carries) and the public key as the p= tag of the selector's record.
/// </summary>
public static class DkimKeyMaterial
{
    public const int RsaBits = 2048;

    /// <summary>The k= tag of each algorithm's record (RFC 6376 §3.6.1, RFC 8463 §4.2).</summary>
    public static string KeyType(bool ed25519) => ed25519 ? "ed25519" : "rsa";

    /// <summary>A new key pair: PKCS#8 of the private key, and the record's p= value.</summary>
    public static (byte[] Pkcs8, string PublicKey) Generate(bool ed25519)
    {
        if (ed25519)
        {
            var key = new Ed25519PrivateKeyParameters(new SecureRandom());
            var pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetEncoded();
            // RFC 8463 §4.2: p= is the base64 of the 32-byte public key itself, not an ASN.1 structure.
            return (pkcs8, Convert.ToBase64String(key.GeneratePublicKey().GetEncoded()));
        }

        using var rsa = RSA.Create(RsaBits);
        // RFC 6376 §3.6.1: p= is the base64 of the DER SubjectPublicKeyInfo.
        return (rsa.ExportPkcs8PrivateKey(), Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The TXT record value that publishes a public key (one string; split into 255-byte pieces where a zone needs it).</summary>
    public static string RecordValue(bool ed25519, string publicKey) => $"v=DKIM1; k={KeyType(ed25519)}; p={publicKey}";

    /// <summary>The private key as MimeKit's signer takes it.</summary>
    public static AsymmetricKeyParameter SigningKey(byte[] pkcs8) => PrivateKeyFactory.CreateKey(pkcs8);
}
