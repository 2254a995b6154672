namespace AdminConsole.Core.Dns;

/// <summary>Where a domain's records are published by RFC 2136 dynamic update, with the TSIG key (RFC 8945) that signs it.</summary>
public sealed class DnsPublisherSettings
{
    public Guid DomainId { get; set; }
    public Domains.MailDomain? Domain { get; set; }

    /// <summary>The primary name server that takes updates: an address, with :port when not 53.</summary>
    public required string Server { get; set; }

    /// <summary>The zone to update; null: the zone the live check finds (the domain itself, usually).</summary>
    public string? Zone { get; set; }

    public required string KeyName { get; set; }

    /// <summary>hmac-sha256 (the default), hmac-sha384, hmac-sha512.</summary>
    public required string Algorithm { get; set; }

    /// <summary>The key's secret, sealed by Data Protection; never shown again after it is set.</summary>
    public required byte[] SealedSecret { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
