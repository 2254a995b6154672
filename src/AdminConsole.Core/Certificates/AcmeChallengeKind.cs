namespace AdminConsole.Core.Certificates;

/// <summary>How the CA is shown that we control a name (RFC 8555 §8).</summary>
public enum AcmeChallengeKind
{
    /// <summary>http-01 (§8.3): the console answers at /.well-known/acme-challenge/{token} on its HTTP port (80 in production).</summary>
    Http01,

    /// <summary>
    /// dns-01 (§8.4): a TXT record at _acme-challenge.{name}, published through the RFC 2136 server set
    /// up for the domain on its DNS page; the only way to a wildcard, and needs no port open.
    /// </summary>
    Dns01,

    /// <summary>
    /// tls-alpn-01 (RFC 8737): the console's HTTPS listener answers the CA's "acme-tls/1" handshake
    /// on port 443, for sites where port 80 is closed.
    /// </summary>
    TlsAlpn01,
}
