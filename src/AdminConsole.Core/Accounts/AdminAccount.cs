namespace AdminConsole.Core.Accounts;

/// <summary>An operator of the console. Mailbox users are not admin accounts; they sign in with their mailbox.</summary>
public sealed class AdminAccount
{
    public Guid Id { get; set; }

    /// <summary>The sign-in address, normalized.</summary>
    public required string Email { get; set; }

    public required string PasswordHash { get; set; }
    public AdminRole Role { get; set; } = AdminRole.Administrator;
    public bool Disabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
}

public enum AdminRole
{
    /// <summary>Full control of the console, the API and the job dashboard.</summary>
    Administrator = 0,

    /// <summary>Sees everything an administrator sees, changes nothing (auditors, help desk).</summary>
    ReadOnly = 1,
}
