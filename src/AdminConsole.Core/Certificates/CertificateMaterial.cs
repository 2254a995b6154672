using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AdminConsole.Core.Certificates;

/// <summary>
/// A certificate with its private key and intermediates, read from what an admin uploads (PEM chain +
/// key, or PKCS#12 with its password) or from what a CA issued, and checked before anything is saved:
/// the key belongs to the certificate, the chain builds to a trusted root, the names are covered, it
/// is in date. Each problem is a field error in words.
/// </summary>
public sealed class CertificateMaterial : IDisposable
{
    private CertificateMaterial(X509Certificate2 leaf, X509Certificate2Collection intermediates, byte[] privateKey)
    {
        Leaf = leaf;
        Intermediates = intermediates;
        PrivateKey = privateKey;
        DnsNames = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames())
            .Select(n => n.TrimEnd('.').ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
    }

    public X509Certificate2 Leaf { get; }

    /// <summary>The CA certificates between the leaf and the root (a self-signed root given along is left out: clients have their own).</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>The private key as PKCS#8 DER: a secret, sealed before it is stored.</summary>
    public byte[] PrivateKey { get; }

    /// <summary>The certificate's DNS names (subjectAltName), lower case.</summary>
    public IReadOnlyList<string> DnsNames { get; }

    public string ChainPem
    {
        get
        {
            var pem = new StringBuilder(Leaf.ExportCertificatePem()).Append('\n');
            foreach (var c in Intermediates) pem.Append(c.ExportCertificatePem()).Append('\n');
            return pem.ToString();
        }
    }

    /// <summary>Whether the certificate is valid for <paramref name="name"/>: listed, or under a one-label wildcard it lists (RFC 6125 §6.4.3).</summary>
    public bool Covers(string name) => Covers(DnsNames, name);

    public static bool Covers(IEnumerable<string> dnsNames, string name)
    {
        name = name.TrimEnd('.').ToLowerInvariant();
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dnsNames.Any(n => n == name || (!name.StartsWith("*.", StringComparison.Ordinal) && dot > 0 && n == "*" + name[dot..]));
    }

    /// <summary>From a PEM chain (the certificate first, then its intermediates) and a PEM private key (PKCS#8, SEC 1 or PKCS#1).</summary>
    public static CertificateMaterial FromPem(string? chainPem, string? keyPem)
    {
        var errors = new ValidationErrors();
        var chain = new X509Certificate2Collection();
        if (string.IsNullOrWhiteSpace(chainPem)) errors.Add("certificatePem", "Paste the certificate chain (PEM, the certificate first).");
        else
        {
            try
            {
                chain.ImportFromPem(chainPem);
            }
            catch (CryptographicException)
            {
                chain.Clear();
            }

            if (chain.Count == 0) errors.Add("certificatePem", "This is not a PEM certificate chain (-----BEGIN CERTIFICATE-----).");
        }

        AsymmetricAlgorithm? key = null;
        if (string.IsNullOrWhiteSpace(keyPem)) errors.Add("privateKeyPem", "Paste the private key (PEM).");
        else if (keyPem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal)) errors.Add("privateKeyPem", "The key is encrypted: paste it without a passphrase, or upload a PKCS#12 file with its password.");
        else if ((key = ReadKey(keyPem)) is null) errors.Add("privateKeyPem", "This is not a PEM private key (ECDSA or RSA).");
        errors.ThrowIfAny();

        byte[] pkcs8;
        using (key) pkcs8 = key is ECDsa ec ? ec.ExportPkcs8PrivateKey() : ((RSA)key!).ExportPkcs8PrivateKey();
        try
        {
            return Joined(chain, pkcs8);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new DomainValidationException("privateKeyPem", "This key does not belong to the certificate (its public key is another one).");
        }
    }

    /// <summary>From a PKCS#12 (.pfx/.p12) file and its password: the entry with a private key is the certificate, the others its chain.</summary>
    public static CertificateMaterial FromPkcs12(byte[]? pkcs12, string? password)
    {
        if (pkcs12 is not { Length: > 0 }) throw new DomainValidationException("pkcs12Base64", "Choose a PKCS#12 file (.pfx or .p12).");
        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12Collection(pkcs12, password, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException)
        {
            throw new DomainValidationException(string.IsNullOrEmpty(password) ? "pkcs12Base64" : "password",
                string.IsNullOrEmpty(password) ? "This file could not be read as PKCS#12 without a password: give its password, or check the file." : "The password is wrong, or this is not a PKCS#12 file.");
        }

        var withKeys = all.Where(c => c.HasPrivateKey).ToList();
        if (withKeys.Count != 1)
            throw new DomainValidationException("pkcs12Base64", withKeys.Count == 0 ? "The file holds no private key: it must hold the certificate with its key." : "The file holds several private keys: upload one certificate with its key.");
        var leaf = withKeys[0];
        byte[] key;
        using (var ec = leaf.GetECDsaPrivateKey())
        using (var rsa = leaf.GetRSAPrivateKey())
        {
            key = ec?.ExportPkcs8PrivateKey() ?? rsa?.ExportPkcs8PrivateKey() ?? throw new DomainValidationException("pkcs12Base64", "Only ECDSA and RSA keys can be served.");
        }

        return new CertificateMaterial(leaf, IntermediatesOf(all.Where(c => c != leaf)), key);
    }

    /// <summary>What a CA issued (its PEM chain) with the key we made for it.</summary>
    public static CertificateMaterial Issued(string chainPem, byte[] pkcs8)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(chainPem);
        if (chain.Count == 0) throw new CryptographicException("the CA's answer holds no certificate");
        return Joined(chain, pkcs8);
    }

    /// <summary>The chain's first certificate with the key, the rest its intermediates.</summary>
    private static CertificateMaterial Joined(X509Certificate2Collection chain, byte[] pkcs8) =>
        new(MailEngine.Tls.CertificateKeys.WithPrivateKey(chain[0], pkcs8), IntermediatesOf(chain.Skip(1)), pkcs8);

    /// <summary>The CA certificates given along, without a self-signed root (clients have their own).</summary>
    private static X509Certificate2Collection IntermediatesOf(IEnumerable<X509Certificate2> given) => [.. given.Where(c => !SelfSigned(c))];

    /// <summary>
    /// Checks it can serve <paramref name="names"/> at <paramref name="now"/>: in date, every name covered,
    /// the chain builds to a system root or one of <paramref name="extraRoots"/>. Throws field errors on <paramref name="field"/>.
    /// </summary>
    public void Validate(IReadOnlyCollection<string> names, X509Certificate2Collection extraRoots, DateTimeOffset now, string field)
    {
        var errors = new ValidationErrors();
        if (now > Leaf.NotAfter) errors.Add(field, $"The certificate expired on {Leaf.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}.");
        else if (now < Leaf.NotBefore) errors.Add(field, $"The certificate is not valid before {Leaf.NotBefore.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}.");
        var missing = names.Where(n => !Covers(n)).ToList();
        if (missing.Count > 0)
            errors.Add("names", $"The certificate is not for {string.Join(", ", missing)} (it covers {(DnsNames.Count == 0 ? "no DNS name" : string.Join(", ", DnsNames))}).");
        if (!errors.Any && ChainProblem(extraRoots, now) is { } problem) errors.Add(field, problem);
        errors.ThrowIfAny();
    }

    /// <summary>Null when the chain builds to a trusted root; otherwise why not, in words.</summary>
    public string? ChainProblem(X509Certificate2Collection extraRoots, DateTimeOffset now)
    {
        if (MailEngine.Tls.CertificateChains.Problem(Leaf, null, Intermediates, now) is not { } system) return null;
        if (extraRoots.Count > 0 && MailEngine.Tls.CertificateChains.Problem(Leaf, extraRoots, Intermediates, now) is null) return null;
        return SelfSigned(Leaf) && Intermediates.Count == 0
            ? "The certificate is self-signed: clients would warn about it. Upload one issued by a CA (the engine's own self-signed certificate stays the fallback)."
            : $"The chain does not lead to a trusted root ({system}): include the intermediate certificates after the certificate.";
    }

    private static bool SelfSigned(X509Certificate2 c) => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData);

    /// <summary>The PEM key as ECDSA or RSA (PKCS#8, SEC 1 or PKCS#1), or null when it is neither.</summary>
    private static AsymmetricAlgorithm? ReadKey(string pem) => Import(ECDsa.Create(), pem) ?? Import(RSA.Create(), pem);

    private static AsymmetricAlgorithm? Import(AsymmetricAlgorithm key, string pem)
    {
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            return null;
        }
    }

    public void Dispose()
    {
        Leaf.Dispose();
        foreach (var c in Intermediates) c.Dispose();
        CryptographicOperations.ZeroMemory(PrivateKey);
    }
}
