using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailEngine.OutboundTls;

/// <summary>
/// Web PKI validation of a server's certificate for a host name (RFC 6125), by the system's trust
/// store and any extra authorities the operator names (<see cref="OutboundTlsOptions.TrustedRootsFile"/>).
/// </summary>
public sealed class CertificateTrust
{
    private readonly X509Certificate2Collection _extraRoots = [];

    public CertificateTrust(string? trustedRootsFile)
    {
        if (trustedRootsFile is not null) _extraRoots.ImportFromPemFile(trustedRootsFile);
    }

    /// <returns>Null when the certificate is valid for <paramref name="host"/>; otherwise why not, with its RFC 8460 result type.</returns>
    public TlsFailure? Validate(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> presented, SslPolicyErrors errors, string host, DateTimeOffset now)
    {
        if (!leaf.MatchesHostname(host, allowWildcards: true))
            return new TlsFailure(TlsFailure.CertificateHostMismatch, $"the certificate ({leaf.Subject}) is not for {host}");
        if (now < leaf.NotBefore || now > leaf.NotAfter)
            return new TlsFailure(TlsFailure.CertificateExpired, $"the certificate of {host} is valid {leaf.NotBefore:yyyy-MM-dd} to {leaf.NotAfter:yyyy-MM-dd} only");
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0) return null;

        if (_extraRoots.Count > 0 && Tls.CertificateChains.Problem(leaf, _extraRoots, presented, now) is null) return null;

        return new TlsFailure(TlsFailure.CertificateNotTrusted, $"the certificate of {host} ({leaf.Subject}, issued by {leaf.Issuer}) is not from a trusted authority");
    }

    /// <summary>Every certificate the server sent, as the TLS stack hands them to a validation callback.</summary>
    public static List<X509Certificate2> Presented(X509Certificate2 leaf, X509Chain? chain)
    {
        var all = new List<X509Certificate2> { leaf };
        if (chain is null) return all;
        foreach (var c in chain.ChainPolicy.ExtraStore) if (!all.Any(a => a.RawData.AsSpan().SequenceEqual(c.RawData))) all.Add(c);
        foreach (var e in chain.ChainElements) if (!all.Any(a => a.RawData.AsSpan().SequenceEqual(e.Certificate.RawData))) all.Add(e.Certificate);
        return all;
    }
}
