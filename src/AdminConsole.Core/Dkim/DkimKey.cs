namespace AdminConsole.Core.Dkim;

/// <summary>The signature algorithms a domain signs with: both by default (RFC 8463 §4, dual signatures).</summary>
public enum DkimAlgorithm
{
    /// <summary>rsa-sha256 with a 2048-bit key (RFC 6376; RFC 8301 refuses fewer than 1024 bits).</summary>
    Rsa,

    /// <summary>ed25519-sha256 (RFC 8463): short keys, not yet verified by every receiver, hence signed beside RSA.</summary>
    Ed25519,
}

/// <summary>Where a key is in its life (rotation, issue #15 item 8).</summary>
public enum DkimKeyState
{
    /// <summary>Made; its record must be published before it signs.</summary>
    Pending,

    /// <summary>Signs outgoing mail of the domain.</summary>
    Active,

    /// <summary>No longer signs; its record stays published for the grace period, until mail in flight has been verified.</summary>
    Retiring,

    /// <summary>Past its grace period: its record must go. The key is deleted once no name server has the record.</summary>
    Retired,
}

/// <summary>
/// One DKIM key pair of a domain under one selector. The private key is stored sealed by ASP.NET Data
/// Protection (it reaches the engine only inside the encrypted snapshot and never leaves the console
/// otherwise); the public key is what the selector's TXT record publishes.
/// </summary>
public sealed class DkimKey
{
    public Guid Id { get; set; }
    public Guid DomainId { get; set; }
    public Domains.MailDomain? Domain { get; set; }

    /// <summary>The selector: the DNS label under _domainkey (e.g. 202612r, 202612e).</summary>
    public required string Selector { get; set; }

    public DkimAlgorithm Algorithm { get; set; }
    public DkimKeyState State { get; set; }

    /// <summary>The private key (PKCS#8 DER) sealed by <see cref="DkimKeyService"/>'s protector.</summary>
    public required byte[] SealedPrivateKey { get; set; }

    /// <summary>The public key as the record's p= tag carries it: base64 of SubjectPublicKeyInfo (RSA) or of the 32 raw bytes (Ed25519).</summary>
    public required string PublicKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }
    public DateTimeOffset? RetiringSince { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
}
