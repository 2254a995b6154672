namespace MailEngine.Contracts;

/// <summary>
/// Everything the console may do with one engine node, and everything it reads back from it: the one
/// seam between the control plane and the mail engine (ARCHITECTURE.md, "One contract, many nodes").
/// Implemented in-process (the engine in the console's own process) and over HTTP (a mailengine-node
/// by URL); the console never touches an engine's internals.
/// </summary>
public interface IEngineNode
{
    /// <summary>The name the console shows for this node ("local", or the configured name of a remote one).</summary>
    string Name { get; }

    /// <summary>Applies a snapshot atomically. An older version than the one running is refused (the status says why).</summary>
    Task<EngineStatus> ApplyAsync(EngineSnapshot snapshot, CancellationToken ct);

    /// <summary>The applied version, the listeners and the node's health.</summary>
    Task<NodeStatus> StatusAsync(CancellationToken ct);

    /// <summary>Counters, traffic per minute for the last hour, and the queue.</summary>
    Task<NodeTelemetry> TelemetryAsync(CancellationToken ct);

    /// <summary>Bytes in each mailbox's Maildir, for the addresses asked (an address the node does not hold is 0).</summary>
    Task<IReadOnlyDictionary<string, long>> UsageAsync(IReadOnlyCollection<string> addresses, CancellationToken ct);

    /// <summary>What the spam scanner runs on: CPU, Hyperscan library, tier and why, rules, Bayes model.</summary>
    Task<ScannerReport> ScannerAsync(CancellationToken ct);

    /// <summary>Scans the built-in corpus with every available tier and compares them.</summary>
    Task<ScannerSelfTest> SelfTestAsync(CancellationToken ct);

    /// <summary>Forces a scanner tier (null: choose automatically again) and reports the scanner afterwards.</summary>
    Task<ScannerReport> ForceTierAsync(ScannerTier? tier, CancellationToken ct);

    /// <summary>
    /// Sends the DMARC aggregate reports of one UTC day (RFC 7489 §7.2) to the sending domains that ask
    /// for them; a day and domain already reported is not sent again.
    /// </summary>
    Task<DmarcReportRun> SendDmarcReportsAsync(DateOnly day, CancellationToken ct);

    /// <summary>The DMARC and TLS reports received at our report addresses after <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<ReceivedReport>> ReceivedReportsAsync(DateTimeOffset since, CancellationToken ct);

    /// <summary>
    /// Queues a message the console composed (an alert notification) as mail the engine sends itself:
    /// DKIM-signed for the sender's domain, delivered locally or remotely. The recipients it could not queue come back.
    /// </summary>
    Task<IReadOnlyList<string>> SendMailAsync(OutgoingMail mail, CancellationToken ct);

    /// <summary>The messages in the node's delivery queue, oldest first.</summary>
    Task<IReadOnlyList<QueuedMessage>> QueueAsync(CancellationToken ct);

    /// <summary>Retries, bounces (with a DSN to the sender) or deletes one queued message.</summary>
    Task<QueueActionResult> QueueActionAsync(string queueId, QueueAction action, CancellationToken ct);
}
