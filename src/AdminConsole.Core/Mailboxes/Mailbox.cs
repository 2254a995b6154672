using MailEngine.Auth;
using AdminConsole.Core.Domains;

namespace AdminConsole.Core.Mailboxes;

/// <summary>A mailbox: an address that stores mail and can sign in (IMAP, submission, self-service).</summary>
public sealed class Mailbox
{
    public Guid Id { get; set; }
    public Guid DomainId { get; set; }
    public MailDomain? Domain { get; set; }

    /// <summary>The normalized local part (lower-case, NFC).</summary>
    public required string LocalPart { get; set; }

    /// <summary>The full normalized address, "local@domain"; unique across mailboxes and groups.</summary>
    public required string Address { get; set; }

    public string DisplayName { get; set; } = string.Empty;

    /// <summary>A Dovecot-style "{SCHEME}hash" string (see <see cref="MailEngine.Auth.MailPasswordHasher"/>); never the password.</summary>
    public required string PasswordHash { get; set; }

    public long QuotaBytes { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Vacation.VacationRule? Vacation { get; set; }
}
