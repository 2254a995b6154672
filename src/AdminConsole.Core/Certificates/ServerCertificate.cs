namespace AdminConsole.Core.Certificates;

/// <summary>
/// A certificate the mail engine (and the console) serves for some names: issued by ACME and renewed
/// here, or uploaded. The private key is sealed by Data Protection; it leaves the console only inside
/// the encrypted snapshot. Until its first issuance an ACME certificate has no material yet.
/// </summary>
public sealed class ServerCertificate
{
    public Guid Id { get; set; }

    /// <summary>The DNS names it is for, lower case, A-labels; the first is the subject.</summary>
    public List<string> Names { get; set; } = [];

    public CertificateSource Source { get; set; }
    public AcmeChallengeKind Challenge { get; set; }
    public CertificateKeyAlgorithm KeyAlgorithm { get; set; }

    /// <summary>The ACME directory it is issued from (ACME only).</summary>
    public string? DirectoryUrl { get; set; }

    /// <summary>The certificate, then its intermediates, as PEM; null until issued.</summary>
    public string? ChainPem { get; set; }

    /// <summary>The private key (PKCS#8) sealed by <see cref="CertificateService"/>; null until issued.</summary>
    public byte[]? SealedPrivateKey { get; set; }

    public string? Issuer { get; set; }
    public string? SerialNumber { get; set; }
    public DateTimeOffset? NotBefore { get; set; }
    public DateTimeOffset? NotAfter { get; set; }

    /// <summary>When the renewal job renews it (ARI's window when the CA offers it, else with a third of its life left).</summary>
    public DateTimeOffset? RenewAt { get; set; }

    /// <summary>The last issuance's failure, in words; null after a success.</summary>
    public string? LastError { get; set; }

    /// <summary>Failed issuances in a row: the back-off grows with them.</summary>
    public int FailedAttempts { get; set; }

    /// <summary>Not before this time is issuance tried again (a failure's back-off, or a run under way).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<CertificateEvent> Events { get; set; } = [];
}
