namespace AdminConsole.Core.Dns;

/// <summary>What the records a domain needs are made of (section "Dns").</summary>
public sealed class DnsOptions
{
    public const string Section = "Dns";

    /// <summary>The mail host: MX target, HELO name, SRV target. Empty: the engine's Engine:HostName.</summary>
    public string? MailHost { get; set; }

    /// <summary>The public addresses mail leaves from (SPF ip4/ip6, PTR advice). Empty: SPF says "mx".</summary>
    public string[]? SendingAddresses { get; set; }

    /// <summary>The console's public host name, where mta-sts., autoconfig. and autodiscover. point. Empty: the mail host.</summary>
    public string? ConsoleHost { get; set; }

    /// <summary>The console's host name: <see cref="ConsoleHost"/>, else <paramref name="mailHost"/>; lower case, no trailing dot.</summary>
    public string ConsoleHostOr(string mailHost) =>
        (string.IsNullOrWhiteSpace(ConsoleHost) ? mailHost : ConsoleHost).Trim().TrimEnd('.').ToLowerInvariant();

    /// <summary>The CA whose certificates the ACME client asks for (CAA issue).</summary>
    public string CertificateAuthority { get; set; } = "letsencrypt.org";

    /// <summary>The ports clients use (RFC 6186 SRV records): the standard ones unless a proxy maps others.</summary>
    public int SubmissionsPort { get; set; } = 465;
    public int SubmissionPort { get; set; } = 587;
    public int ImapsPort { get; set; } = 993;
    public int ImapPort { get; set; } = 143;

    /// <summary>ManageSieve (RFC 5804), where mail clients edit their filters; no SRV record names it.</summary>
    public int ManageSievePort { get; set; } = 4190;

    /// <summary>The resolvers (address[:port]) the live check finds a zone's name servers with. Empty: the system's.</summary>
    public string[]? Resolvers { get; set; }

    /// <summary>The port the authoritative name servers are asked on: 53, except for a test server.</summary>
    public int AuthoritativePort { get; set; } = 53;

    /// <summary>How long one DNS question may take.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>TTL of the records in the zone export.</summary>
    public int Ttl { get; set; } = 3600;
}
