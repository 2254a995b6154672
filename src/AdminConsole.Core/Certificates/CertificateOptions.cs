namespace AdminConsole.Core.Certificates;

/// <summary>The "Certificates" settings: the ACME CA and how issuance retries.</summary>
public sealed class CertificateOptions
{
    public const string Section = "Certificates";

    /// <summary>The CAs the page offers by name; any other directory URL may be given too.</summary>
    public static readonly IReadOnlyDictionary<string, string> KnownAuthorities = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["letsencrypt"] = "https://acme-v02.api.letsencrypt.org/directory",
        ["letsencrypt-staging"] = "https://acme-staging-v02.api.letsencrypt.org/directory",
        ["zerossl"] = "https://acme.zerossl.com/v2/DV90",
    };

    public AcmeSettings Acme { get; set; } = new();

    /// <summary>
    /// A PEM file of extra trusted roots: for an ACME CA's HTTPS and for uploaded chains from a private
    /// CA (and for tests, pebble's). Empty: the system's roots only.
    /// </summary>
    public string? TrustedRootsFile { get; set; }

    /// <summary>
    /// An operator's program that publishes dns-01 records with a DNS provider that speaks no RFC 2136:
    /// run as <c>HOOK add|remove _acme-challenge.NAME VALUE</c> (arguments, no shell), exit 0 when done.
    /// Used for names whose domain has no RFC 2136 server on its DNS page; the issuance then waits until
    /// every authoritative server shows the record, as it does for RFC 2136. Empty: none.
    /// </summary>
    public string? Dns01Hook { get; set; }

    /// <summary>How long the dns-01 hook may run before it is stopped and the challenge fails.</summary>
    public TimeSpan Dns01HookTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often the console's HTTPS reads the certificates again regardless (a saved certificate is
    /// picked up at once, with the snapshot version it makes; this catches one that expired).
    /// </summary>
    public TimeSpan ConsoleReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an issuance waits for every engine node and the console to serve the new certificate before it says which do not.</summary>
    public TimeSpan InstallWait { get; set; } = TimeSpan.FromMinutes(2);

    public sealed class AcmeSettings
    {
        /// <summary>The directory used when a request names none (Let's Encrypt production).</summary>
        public string DirectoryUrl { get; set; } = KnownAuthorities["letsencrypt"];

        /// <summary>The account's contact address when a request names none; empty: the report address, else none.</summary>
        public string? Contact { get; set; }

        /// <summary>How long one authorization or finalization may take at the CA.</summary>
        public TimeSpan ValidationTimeout { get; set; } = TimeSpan.FromMinutes(2);

        /// <summary>The wait after a first failure; doubled with each failure after it, up to <see cref="MaxRetryInterval"/>.</summary>
        public TimeSpan RetryInterval { get; set; } = TimeSpan.FromHours(1);

        public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromHours(24);
    }
}
