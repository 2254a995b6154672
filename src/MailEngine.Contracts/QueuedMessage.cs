namespace MailEngine.Contracts;

/// <summary>A message in a node's delivery queue, as the queue view shows it (never its content).</summary>
/// <param name="Sender">The envelope sender; empty for the null sender (a bounce).</param>
/// <param name="Attempts">Delivery attempts that ended with a retry.</param>
/// <param name="NextAttemptAt">When it is tried again; null when it is waiting for a worker now.</param>
/// <param name="InFlight">A delivery worker has it now.</param>
public sealed record QueuedMessage(string QueueId, string Sender, IReadOnlyList<QueuedRecipient> Recipients, long Size, DateTimeOffset ReceivedAt,
    int Attempts, DateTimeOffset? NextAttemptAt, bool InFlight);

/// <param name="LastReply">The last temporary failure for this recipient (the remote server's reply), if any.</param>
public sealed record QueuedRecipient(string Address, bool Local, bool Delivered, string? LastReply);

/// <summary>What an operator does to a queued message.</summary>
public enum QueueAction
{
    /// <summary>Try now, whatever the retry schedule says.</summary>
    Retry,

    /// <summary>Give up on the recipients not delivered yet and tell the sender (a DSN, RFC 3464).</summary>
    Bounce,

    /// <summary>Remove it without telling anyone.</summary>
    Delete,
}

/// <summary>The outcome of a <see cref="QueueAction"/>.</summary>
/// <param name="Done">False with <paramref name="Reason"/>: not in the queue, or a worker is delivering it right now.</param>
public sealed record QueueActionResult(bool Done, string? Reason);
