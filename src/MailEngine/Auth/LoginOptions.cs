namespace MailEngine.Auth;

/// <summary>How failed logins are slowed down (section "Engine:Login"), for SMTP AUTH and IMAP alike.</summary>
public sealed class LoginOptions
{
    /// <summary>The wait after a connection's first failed login; it doubles with each further one (Dovecot's auth_failure_delay).</summary>
    public TimeSpan FailureDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait after one failure.</summary>
    public TimeSpan MaxFailureDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Failed logins on one connection before it is closed.</summary>
    public int MaxFailuresPerConnection { get; set; } = 3;

    /// <summary>How long a login waits for a password-hashing slot before it is told to try again later.</summary>
    public TimeSpan HashingWait { get; set; } = PasswordHashingSlots.LoginWait;
}
