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

    /// <summary>Changes whenever every session must end (password change, 2FA change, "sign out everywhere"); sessions carry it and are checked against it.</summary>
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");

    /// <summary>The TOTP secret, encrypted with Data Protection (whose keys the master key encrypts); null without 2FA.</summary>
    public string? TotpSecretProtected { get; set; }

    /// <summary>The last TOTP time step accepted, so that a code cannot be used twice (RFC 6238 5.2).</summary>
    public long? TotpLastStep { get; set; }

    /// <summary>SHA-256 hashes (hex) of the unused recovery codes.</summary>
    public List<string> RecoveryCodeHashes { get; set; } = [];

    public bool TwoFactorEnabled => TotpSecretProtected is not null;
}

public enum AdminRole
{
    /// <summary>Full control of the console, the API and the job dashboard.</summary>
    Administrator = 0,

    /// <summary>Sees everything an administrator sees, changes nothing (auditors, help desk).</summary>
    ReadOnly = 1,
}
