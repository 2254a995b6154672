using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AdminConsole.Testing;

/// <summary>A private CA (root and intermediate) whose root the console trusts, issuing the certificates the upload tests upload.</summary>
public sealed class UploadCa : IDisposable
{
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _root;

    public UploadCa()
    {
        var root = new CertificateRequest("CN=Upload Test Root", _rootKey, HashAlgorithmName.SHA256);
        root.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        root.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        root.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(root.PublicKey, false));
        _root = root.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(5));
        var intermediate = new CertificateRequest("CN=Upload Test Intermediate", _intermediateKey, HashAlgorithmName.SHA256);
        intermediate.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediate.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediate.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediate.PublicKey, false));
        intermediate.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, true, false));
        Intermediate = intermediate.Create(_root, DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(3), [7, 7, 7]).CopyWithPrivateKey(_intermediateKey);
    }

    public X509Certificate2 Intermediate { get; }
    public string RootPem => _root.ExportCertificatePem() + "\n";
    public string IntermediatePem => Intermediate.ExportCertificatePem() + "\n";

    /// <summary>A server certificate for <paramref name="names"/> with its key, valid from <paramref name="from"/> to <paramref name="until"/>.</summary>
    public (X509Certificate2 Certificate, ECDsa Key) Issue(string[] names, DateTimeOffset? from = null, DateTimeOffset? until = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        var certificate = request.Create(Intermediate, from ?? DateTimeOffset.UtcNow.AddDays(-1), until ?? DateTimeOffset.UtcNow.AddDays(90), RandomNumberGenerator.GetBytes(8));
        return (certificate, key);
    }

    public void Dispose()
    {
        _root.Dispose();
        Intermediate.Dispose();
        _rootKey.Dispose();
        _intermediateKey.Dispose();
    }
}
