namespace AdminConsole.Core.Domains;

/// <summary>A domain this installation receives mail for.</summary>
public sealed class MailDomain
{
    /// <summary>The quota a new mailbox gets unless the domain or the mailbox says otherwise (the seed's 10G).</summary>
    public const long DefaultMailboxQuotaBytes = 10L * 1024 * 1024 * 1024;

    /// <summary>Postfix's default message_size_limit (10 240 000 bytes) rounded to a binary 25 MiB, what most providers accept.</summary>
    public const long DefaultMaxMessageBytes = 25L * 1024 * 1024;

    public Guid Id { get; set; }

    /// <summary>The domain in A-label form, lower-case (see <see cref="MailEngine.Addressing.EmailAddress"/>).</summary>
    public required string Name { get; set; }

    public string? Description { get; set; }
    public long DefaultQuotaBytes { get; set; } = DefaultMailboxQuotaBytes;
    public long MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;

    /// <summary>Where mail for unknown local parts goes; null rejects them at RCPT time.</summary>
    public string? CatchAllAddress { get; set; }

    /// <summary>What the domain's MTA-STS policy asks of senders (RFC 8461); testing until its certificates are in place.</summary>
    public Dns.MtaStsMode MtaStsMode { get; set; } = Dns.MtaStsMode.Testing;

    /// <summary>The DMARC policy its record publishes (RFC 7489): none until the reports have been read, then quarantine, then reject.</summary>
    public Dns.DmarcPolicy DmarcPolicy { get; set; } = Dns.DmarcPolicy.None;

    /// <summary>
    /// What mail arriving for this domain gets when its sender's DMARC policy says quarantine or reject
    /// and it fails (issue #16): enforced (refused, Junk), quarantined only, or just recorded.
    /// </summary>
    public MailEngine.Contracts.DmarcEnforcement InboundDmarc { get; set; } = MailEngine.Contracts.DmarcEnforcement.Enforce;

    /// <summary>
    /// Forwarders (mailing lists, another mail system the domain's users forward from) whose ARC seal is
    /// believed (RFC 8617 §7.2): when their seal says DMARC passed on their arrival, a failure here is not acted on.
    /// </summary>
    public List<string> TrustedArcSealers { get; set; } = [];

    /// <summary>Whether mail from outside to this domain is scanned for spam (issue #7).</summary>
    public bool SpamFilterEnabled { get; set; } = true;

    /// <summary>From this score the X-Spam-Status header says Yes.</summary>
    public double SpamHeaderThreshold { get; set; } = MailEngine.Contracts.SpamPolicy.Default.HeaderThreshold;

    /// <summary>From this score the message is filed into Junk (spamtest 6 and up in the Sieve before-script).</summary>
    public double SpamJunkThreshold { get; set; } = MailEngine.Contracts.SpamPolicy.Default.JunkThreshold;

    /// <summary>From this score the message is refused at DATA with 550 5.7.1.</summary>
    public double SpamRejectThreshold { get; set; } = MailEngine.Contracts.SpamPolicy.Default.RejectThreshold;

    public List<Spam.SpamRuleOverride> SpamRuleOverrides { get; } = [];

    /// <summary>The domain's DKIM keys: the ones that sign, and those made or retiring in a rotation.</summary>
    public List<Dkim.DkimKey> DkimKeys { get; } = [];

    /// <summary>Months between automatic DKIM key rotations (issue #15 item 8); null: only when an admin starts one.</summary>
    public int? DkimRotationMonths { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<Mailboxes.Mailbox> Mailboxes { get; } = [];
    public List<Groups.GroupAlias> Groups { get; } = [];
}
