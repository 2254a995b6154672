using AdminConsole.Core.Mailboxes;

namespace AdminConsole.Core.Filters;

/// <summary>A mailbox user's own Sieve filter (RFC 5228), run by the engine after the global before-script.</summary>
public sealed class SieveFilter
{
    public Guid Id { get; set; }
    public Guid MailboxId { get; set; }
    public Mailbox? Mailbox { get; set; }
    public string Script { get; set; } = string.Empty;

    /// <summary>Who last saved it ("admin:a@b" or "mailbox:u@d").</summary>
    public string UpdatedBy { get; set; } = string.Empty;

    public DateTimeOffset UpdatedAt { get; set; }
}
