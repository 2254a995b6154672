using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailEngine.Tls;

/// <summary>
/// A certificate the engine serves: the leaf with its private key and the context that sends the
/// intermediates along in the handshake (a client that only trusts the root must be given the rest
/// of the chain, RFC 8446 §4.4.2), built once when the snapshot or the default certificate is loaded.
/// </summary>
public sealed class ServedCertificate
{
    private ServedCertificate(X509Certificate2 leaf, X509Certificate2Collection intermediates)
    {
        Leaf = leaf;
        Intermediates = intermediates;
        Context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    public X509Certificate2 Leaf { get; }
    public X509Certificate2Collection Intermediates { get; }
    public SslStreamCertificateContext Context { get; }

    /// <summary>A certificate that needs no intermediates (the node's self-signed or configured one).</summary>
    public static ServedCertificate From(X509Certificate2 leafWithKey) =>
        leafWithKey.HasPrivateKey ? new(leafWithKey, []) : throw new FormatException($"The certificate {leafWithKey.Subject} has no private key.");

    /// <summary>From a PEM chain (leaf first) and the leaf's PKCS#8 private key (ECDSA or RSA).</summary>
    public static ServedCertificate FromPem(string chainPem, ReadOnlySpan<byte> pkcs8)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(chainPem);
        if (chain.Count == 0) throw new FormatException("The certificate chain holds no certificate.");
        // On Linux an ephemeral key works for SslStream; the copy carries it.
        return new ServedCertificate(CertificateKeys.WithPrivateKey(chain[0], pkcs8), [.. chain.Skip(1)]);
    }
}
