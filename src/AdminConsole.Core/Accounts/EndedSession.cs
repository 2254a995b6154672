namespace AdminConsole.Core.Accounts;

/// <summary>
/// A console session that was signed out: its cookie, even if copied before, is refused from then
/// on. Kept until the session could no longer be valid anyway (its absolute timeout), then removed.
/// </summary>
public sealed class EndedSession
{
    /// <summary>The session id the cookie carries ("sid"), made at sign-in.</summary>
    public Guid Id { get; set; }

    public DateTimeOffset EndedAt { get; set; }

    /// <summary>When the session would have ended by itself; the row is removed after it.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}
