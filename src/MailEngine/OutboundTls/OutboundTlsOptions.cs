namespace MailEngine.OutboundTls;

/// <summary>How remote delivery protects its TLS (section Engine:Queue:Tls).</summary>
public sealed class OutboundTlsOptions
{
    /// <summary>Honour recipient domains' MTA-STS policies (RFC 8461).</summary>
    public bool MtaSts { get; set; } = true;

    /// <summary>
    /// Honour DNSSEC-validated TLSA records of exchangers (RFC 7672). Needs a validating resolver on
    /// loopback (Engine:DnsServer, e.g. a local unbound): the AD bit of any other is not believed.
    /// </summary>
    public bool Dane { get; set; } = true;

    /// <summary>The HTTPS port MTA-STS policies are fetched from: 443, except in tests.</summary>
    public int PolicyPort { get; set; } = 443;

    /// <summary>
    /// A PEM file of certificate authorities trusted besides the system's, for MTA-STS policy hosts and
    /// exchangers (a company's private CA); unset: the system's alone.
    /// </summary>
    public string? TrustedRootsFile { get; set; }

    /// <summary>How long a policy fetch may take (RFC 8461 §3.3 suggests no more than a minute).</summary>
    public TimeSpan PolicyFetchTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
