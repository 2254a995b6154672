namespace AdminConsole.Core.Dkim;

/// <summary>Settings of DKIM key rotation (section "Dkim").</summary>
public sealed class DkimOptions
{
    public const string Section = "Dkim";

    /// <summary>
    /// How long a replaced key's record stays published after signing switched: mail signed just
    /// before may sit in queues and be verified days later (a retried delivery, a forward). 7 days
    /// covers a sender's whole retry schedule (RFC 5321 §4.5.4.1 suggests giving up after 4–5 days).
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromDays(7);
}
