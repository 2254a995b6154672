using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailEngine.Tests.OutboundTls;

/// <summary>A private certificate authority made in the test, and server certificates it issues.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates(string name = "Test Mail CA")
    {
        var request = new CertificateRequest($"CN={name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // Valid from five years back, so expired certificates can be issued under it.
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-5), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Authority { get; }

    /// <summary>A server certificate for these names, with its key (PKCS#12-exportable).</summary>
    public X509Certificate2 Issue(params string[] names) => Issue(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90), names);

    public X509Certificate2 Issue(DateTimeOffset notBefore, DateTimeOffset notAfter, params string[] names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names) san.AddDnsName(n);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Authority, true, false));
        using var issued = request.Create(Authority, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>Writes a certificate with its key and chain as PKCS#12 (the engine's Engine:CertificatePath).</summary>
    public string SavePkcs12(X509Certificate2 certificate, string folder)
    {
        var path = Path.Combine(folder, $"{certificate.GetNameInfo(X509NameType.DnsName, false)}.pfx");
        var collection = new X509Certificate2Collection { certificate, X509CertificateLoader.LoadCertificate(Authority.RawData) };
        File.WriteAllBytes(path, collection.Export(X509ContentType.Pkcs12)!);
        return path;
    }

    /// <summary>The authority as PEM (Engine:Queue:Tls:TrustedRootsFile).</summary>
    public string SaveAuthority(string folder)
    {
        var path = Path.Combine(folder, "test-ca.pem");
        File.WriteAllText(path, Authority.ExportCertificatePem());
        return path;
    }

    public void Dispose()
    {
        Authority.Dispose();
        _caKey.Dispose();
    }
}
