namespace AdminConsole.Core.Dns;

/// <summary>One live check of a domain's records, kept as history (the newest gives each record its status).</summary>
public sealed class DnsCheck
{
    public Guid Id { get; set; }
    public Guid DomainId { get; set; }
    public Domains.MailDomain? Domain { get; set; }
    public DateTimeOffset CheckedAt { get; set; }

    /// <summary>Records that did not match on every name server (0 when all is well; -1 when nothing could be checked).</summary>
    public int Broken { get; set; }

    /// <summary>The <see cref="DnsCheckResult"/> as JSON.</summary>
    public required string Result { get; set; }
}
