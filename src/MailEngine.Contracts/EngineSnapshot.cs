namespace MailEngine.Contracts;

/// <summary>
/// Everything the engine needs to serve mail, compiled by the console from PostgreSQL and pushed as
/// one immutable, versioned value. Addresses are normalized (see EmailAddress (MailEngine.Shared));
/// groups arrive already expanded to full addresses. The engine never reads the database.
/// </summary>
public sealed record EngineSnapshot
{
    public required long Version { get; init; }
    public required DateTimeOffset CompiledAt { get; init; }
    public IReadOnlyList<SnapshotDomain> Domains { get; init; } = [];
    public IReadOnlyList<SnapshotMailbox> Mailboxes { get; init; } = [];
    public IReadOnlyList<SnapshotAlias> Aliases { get; init; } = [];
    public SnapshotPolicy Policy { get; init; } = new();

    /// <summary>
    /// TLS certificates by host name, chosen by the client's SNI; a name with none gets the node's
    /// default certificate. Listener addresses are not here: they belong to each node's configuration.
    /// </summary>
    public IReadOnlyList<SnapshotCertificate> Certificates { get; init; } = [];

    /// <summary>The Sender Rewriting Scheme's secrets for mail we forward outside our domains; null: senders are not rewritten.</summary>
    public SnapshotSrs? Srs { get; init; }

    /// <summary>What an engine that has never received a snapshot serves: nothing is local, nothing relays.</summary>
    public static EngineSnapshot Empty { get; } = new() { Version = 0, CompiledAt = DateTimeOffset.UnixEpoch };

    /// <summary>
    /// The snapshot with every list and policy that JSON left out as its default. The source-generated
    /// reader sets an absent init-only property to null rather than to its initializer, so a snapshot
    /// written by hand (curl, bench/smtp.sh) without "aliases" would otherwise reach the engine with nulls.
    /// </summary>
    public EngineSnapshot WithDefaults()
    {
        // The properties are declared non-null; JSON can still leave them null.
        var policy = Policy ?? new SnapshotPolicy();
        return this with
        {
            Domains = Domains?.Select(d => d.Spam is { Overrides: null } spam ? d with { Spam = spam with { Overrides = new Dictionary<string, SpamRuleOverride>() } } : d).ToList() ?? [],
            Mailboxes = Mailboxes ?? [],
            Aliases = Aliases?.Select(a => a.Recipients is null ? a with { Recipients = [] } : a).ToList() ?? [],
            Certificates = Certificates ?? [],
            Policy = policy.TrustedNetworks is null ? policy with { TrustedNetworks = new SnapshotPolicy().TrustedNetworks } : policy,
        };
    }
}

/// <param name="Name">The domain in A-label form.</param>
/// <param name="MaxMessageBytes">The largest message accepted for this domain's recipients.</param>
/// <param name="CatchAllAddress">Where mail for unknown local parts goes; null rejects them.</param>
/// <param name="Spam">The domain's spam settings (thresholds, rule overrides); null means the defaults.</param>
/// <param name="DkimKeys">The keys that sign mail from this domain now (one per algorithm); null or empty: unsigned.</param>
/// <param name="Dmarc">What mail to this domain's recipients gets when its sender's DMARC policy says quarantine or reject.</param>
/// <param name="TrustedArcSealers">Forwarders (mailing lists, other mail systems) whose ARC seal this domain believes (RFC 8617 §7.2): when one
/// says DMARC passed on its arrival, a DMARC failure here is not acted on.</param>
public sealed record SnapshotDomain(string Name, long MaxMessageBytes, string? CatchAllAddress = null, SpamPolicy? Spam = null, IReadOnlyList<SnapshotDkimKey>? DkimKeys = null,
    DmarcEnforcement Dmarc = DmarcEnforcement.Enforce, IReadOnlyList<string>? TrustedArcSealers = null);

/// <summary>How a receiving domain honours the DMARC policies of the mail it gets (RFC 7489 §6.7: the receiver decides).</summary>
public enum DmarcEnforcement
{
    /// <summary>As the sender asks: p=reject refused at DATA (550 5.7.1), p=quarantine into Junk.</summary>
    Enforce,

    /// <summary>p=reject and p=quarantine both into Junk: nothing refused (for a domain that fears losing forwarded mail).</summary>
    Quarantine,

    /// <summary>Only the Authentication-Results header and the spam symbols: the policy is not acted on.</summary>
    Monitor,
}

/// <param name="Selector">The selector, d= being the domain (RFC 6376 §3.1).</param>
/// <param name="Algorithm">"rsa-sha256" or "ed25519-sha256" (RFC 8463).</param>
/// <param name="PrivateKey">PKCS#8 DER of the private key: a secret, which is why snapshots are encrypted at rest.</param>
public sealed record SnapshotDkimKey(string Selector, string Algorithm, byte[] PrivateKey)
{
    public const string RsaSha256 = "rsa-sha256";
    public const string Ed25519Sha256 = "ed25519-sha256";
}

/// <param name="Secrets">HMAC secrets, the one that signs first; the others were rotated out less than
/// 21 days ago and still verify the addresses made with them. Secrets: the snapshot is encrypted.</param>
public sealed record SnapshotSrs(IReadOnlyList<byte[]> Secrets);

/// <param name="PasswordHash">A Dovecot-style "{SCHEME}hash" (see MailPasswordHasher (MailEngine.Shared)).</param>
/// <param name="VacationSieve">The console's vacation rule compiled to Sieve (RFC 5230), run after the user's
/// own script in local delivery; null when the mailbox has no rule turned on.</param>
/// <param name="VacationSieve">The console's vacation rule compiled to Sieve (RFC 5230), run after the user's script.</param>
/// <param name="SieveScript">The user's own Sieve filter, run after the global before-script.</param>
public sealed record SnapshotMailbox(string Address, string PasswordHash, long QuotaBytes, bool Enabled = true, string DisplayName = "", string? VacationSieve = null, string? SieveScript = null);

/// <param name="Recipients">The group's members expanded to full addresses: local mailboxes and external addresses, no groups.</param>
public sealed record SnapshotAlias(string Address, IReadOnlyList<string> Recipients);

/// <param name="HostNames">Names it serves ("mail.example.com", or "*.example.com" for one label).</param>
/// <param name="ChainPem">The certificate first, then the intermediates a client needs to build the chain, as PEM.</param>
/// <param name="PrivateKey">The certificate's private key as Base64 PKCS#8 (DER). It is a secret: the snapshot
/// file is mode 0600, and whoever stores snapshots must encrypt them. PEM and PKCS#8 rather than PKCS#12,
/// whose random salt would make every compile of the same state a new snapshot.</param>
public sealed record SnapshotCertificate(IReadOnlyList<string> HostNames, string ChainPem, string PrivateKey);

public sealed record SnapshotPolicy
{
    /// <summary>Networks (CIDR) whose clients may relay through the MX listener without authenticating (the seed's trusted-networks).</summary>
    public IReadOnlyList<string> TrustedNetworks { get; init; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>The SIZE announced in EHLO (RFC 1870) and enforced while reading DATA.</summary>
    public long MaxMessageBytes { get; init; } = 25L * 1024 * 1024;

    /// <summary>RFC 5321 4.5.3.1.8 requires accepting at least 100 recipients.</summary>
    public int MaxRecipientsPerMessage { get; init; } = 100;

    /// <summary>The From: of the DMARC aggregate reports we send (RFC 7489 §7.2); null: dmarc-reports@ the first domain.</summary>
    public string? ReportAddress { get; init; }

    /// <summary>The org_name of the reports we send; null: the report address's domain.</summary>
    public string? ReportOrganization { get; init; }
}
