using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace AdminConsole.Core.Certificates;

/// <summary>
/// The HTTP client the ACME client talks to the CA with: the system's roots, plus the operator's
/// extra roots (<see cref="CertificateOptions.TrustedRootsFile"/>) for a private CA's directory.
/// </summary>
public static class AcmeHttp
{
    public const string ClientName = "acme";

    public static SocketsHttpHandler Handler(X509Certificate2Collection extraRoots) => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None) return true;
                if (certificate is null || extraRoots.Count == 0 || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
                using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return MailEngine.Tls.CertificateChains.Problem(leaf, extraRoots, [], DateTimeOffset.UtcNow) is null;
            },
        },
    };

    /// <summary>The roots in the PEM file, or none.</summary>
    public static X509Certificate2Collection ExtraRoots(string? file)
    {
        var roots = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(file)) roots.ImportFromPemFile(file);
        return roots;
    }
}
