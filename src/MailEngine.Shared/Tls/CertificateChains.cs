using System.Security.Cryptography.X509Certificates;

namespace MailEngine.Tls;

/// <summary>
/// The one chain builder of the engine and the console: a certificate to the system's roots, or to
/// roots named here alone (a private CA, DANE-TA, pebble in tests), with the intermediates a server
/// presented or an upload carried. Revocation is not checked and nothing is downloaded: a server must
/// present its chain (RFC 8446 §4.4.2), and an upload must carry it.
/// </summary>
public static class CertificateChains
{
    /// <summary>Null when <paramref name="leaf"/> chains to <paramref name="roots"/> (null: the system's); otherwise the chain's complaints.</summary>
    public static string? Problem(X509Certificate2 leaf, X509Certificate2Collection? roots, IEnumerable<X509Certificate2> intermediates, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = roots is null ? X509ChainTrustMode.System : X509ChainTrustMode.CustomRootTrust;
        if (roots is not null) chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(leaf) ? null : string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct());
    }
}
