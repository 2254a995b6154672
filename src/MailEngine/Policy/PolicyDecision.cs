namespace MailEngine.Policy;

/// <summary>What a policy check says about a connection, a sender, a recipient or a message.</summary>
public enum PolicyVerdict
{
    Accept,

    /// <summary>Not now: a 4xx reply, the client tries again later (RFC 5321 4.2.5).</summary>
    Defer,

    /// <summary>Never: a 5xx reply, nothing is kept.</summary>
    Refuse,
}

/// <summary>
/// Why a check deferred or refused. Each reason has one named SMTP reply (<see cref="Smtp.SmtpReplies.For"/>)
/// and one counter label (<see cref="PolicyDecision.Label"/>), so replies and counts cannot drift apart.
/// </summary>
public enum PolicyReason
{
    None,
    RelayDenied,
    UnknownRecipient,
    EmptyGroup,
    MailboxDisabled,
    MailboxFull,
    TooManyRecipients,
    SenderNotOwned,
    SenderHeaderNotOwned,
    SieveRefused,
    Spam,
    ScannerNotReady,
    SigningFailed,

    /// <summary>The From: domain's DMARC policy is p=reject and neither SPF nor DKIM authenticated it for that domain.</summary>
    DmarcReject,
}

/// <summary>
/// A check's typed outcome: the verdict, the reason, what it is about (an address) and the detail a
/// reply quotes (a Sieve reason, a spam score). Checks are functions of facts that return these; they
/// never write a reply or count anything themselves.
/// </summary>
public sealed record PolicyDecision(PolicyVerdict Verdict, PolicyReason Reason, string Subject = "", string? Detail = null)
{
    public static readonly PolicyDecision Accept = new(PolicyVerdict.Accept, PolicyReason.None);

    public static PolicyDecision Refuse(PolicyReason reason, string subject = "", string? detail = null) => new(PolicyVerdict.Refuse, reason, subject, detail);

    public static PolicyDecision Defer(PolicyReason reason, string subject = "", string? detail = null) => new(PolicyVerdict.Defer, reason, subject, detail);

    public bool Accepted => Verdict == PolicyVerdict.Accept;

    /// <summary>The reason label of mailengine_messages_rejected_total / mailengine_policy_deferred_total.</summary>
    public string Label => Reason switch
    {
        PolicyReason.RelayDenied => "relay-denied",
        PolicyReason.UnknownRecipient => "unknown-recipient",
        PolicyReason.EmptyGroup => "empty-group",
        PolicyReason.MailboxDisabled => "disabled",
        PolicyReason.MailboxFull => "over-quota",
        PolicyReason.TooManyRecipients => "too-many-recipients",
        PolicyReason.SigningFailed => "dkim-signing-failed",
        PolicyReason.SenderNotOwned => "sender-not-owned",
        PolicyReason.SenderHeaderNotOwned => "sender-header",
        PolicyReason.SieveRefused => "sieve",
        PolicyReason.Spam => "spam",
        PolicyReason.ScannerNotReady => "scanner-not-ready",
        PolicyReason.DmarcReject => "dmarc",
        _ => "none",
    };
}
