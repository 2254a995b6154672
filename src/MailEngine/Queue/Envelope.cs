namespace MailEngine.Queue;

/// <summary>One address the message must reach, decided when it was accepted.</summary>
/// <param name="Address">The final address: a local mailbox, or a remote address.</param>
/// <param name="Local">Delivered to a Maildir here (true) or relayed (false).</param>
/// <param name="OriginalRecipient">The RCPT TO address it came from (a group, a subaddress, a catch-all).</param>
public sealed record DeliveryTarget(string Address, bool Local, string OriginalRecipient);

/// <summary>The envelope stored with a spooled message: who sent it, to whom, and how it arrived.</summary>
public sealed record Envelope
{
    public required string QueueId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The reverse path; empty for the null sender "&lt;&gt;" (bounces, auto-replies).</summary>
    public required string Sender { get; init; }

    public required IReadOnlyList<DeliveryTarget> Targets { get; init; }
    public string? ClientAddress { get; init; }
    public string? Helo { get; init; }
    public string? AuthenticatedAs { get; init; }
    public string Listener { get; init; } = "mx";
    public bool SmtpUtf8 { get; init; }

    /// <summary>
    /// The spam verdict for each local recipient domain, decided at DATA under that domain's settings;
    /// kept beside the spool file ("&lt;id&gt;.spam"), not in the envelope line. Null when not scanned.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<string, Scanner.SpamVerdict>? Spam { get; init; }
}
