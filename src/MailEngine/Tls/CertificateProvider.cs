using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailEngine.Hosting;
using MailEngine.Storage;

namespace MailEngine.Tls;

/// <summary>
/// The server certificate for STARTTLS and implicit TLS: the configured PKCS#12 file, or else a
/// self-signed one made at first start and kept (mode 0600) in the state folder so clients that
/// pinned it keep working across restarts. Certificates in the snapshot (ACME or uploaded) take
/// precedence for the names they cover (see <see cref="ServerTls"/>).
/// </summary>
public sealed class CertificateProvider
{
    public CertificateProvider(EngineOptions options)
    {
        HostName = options.HostName;
        if (options.CertificatePath is { } configured)
        {
            Served = ServedCertificate.From(X509CertificateLoader.LoadPkcs12FromFile(configured, password: null));
            return;
        }

        var path = Path.Combine(options.StateDirectory, "selfsigned.pfx");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(options.StateDirectory);
            using var created = SelfSignedCertificate.Create(new X500DistinguishedName($"CN={options.HostName}"), options.HostName, TimeSpan.FromDays(2 * 365));
            DurableFile.WriteAllBytes(path, created.Export(X509ContentType.Pkcs12));
        }

        Served = ServedCertificate.From(X509CertificateLoader.LoadPkcs12FromFile(path, password: null));
    }

    /// <summary>The node's own certificate: configured, else self-signed.</summary>
    public ServedCertificate Served { get; }

    /// <summary>The node's host name (Engine:HostName): its certificate is served to clients that send no SNI.</summary>
    public string HostName { get; }
}
