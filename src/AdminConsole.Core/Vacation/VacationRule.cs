using AdminConsole.Core.Mailboxes;

namespace AdminConsole.Core.Vacation;

/// <summary>
/// A mailbox's vacation (out-of-office) reply, compiled into a Sieve vacation action (RFC 5230)
/// for the engine.
/// </summary>
public sealed class VacationRule
{
    /// <summary>RFC 5230 4.1: the default :days is 7; servers may enforce a minimum of 1.</summary>
    public const int DefaultReplyIntervalDays = 7;

    public Guid Id { get; set; }
    public Guid MailboxId { get; set; }
    public Mailbox? Mailbox { get; set; }
    public bool Enabled { get; set; }
    public string Subject { get; set; } = string.Empty;
    public string Body { get; set; } = string.Empty;
    public DateTimeOffset? StartsAt { get; set; }
    public DateTimeOffset? EndsAt { get; set; }
    public int ReplyIntervalDays { get; set; } = DefaultReplyIntervalDays;

    /// <summary>More addresses of the user for RFC 5230 4.5 (":addresses"): normalized, full.</summary>
    public List<string> ExtraAddresses { get; set; } = [];

    /// <summary>Who last set the rule ("admin:a@b" or "self"), so the user sees who changed it.</summary>
    public string UpdatedBy { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }
}
