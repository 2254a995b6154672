namespace AdminConsole.Core.Alerts;

/// <summary>One notification sent (or failed) to one channel: the Alerts page shows who was told what.</summary>
public sealed class AlertNotification
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Channel { get; set; }
    public required string RuleId { get; set; }
    public required string Subject { get; set; }

    /// <summary>firing, repeat or resolved.</summary>
    public required string Kind { get; set; }

    /// <summary>Null when it was delivered (a webhook answered 2xx, the engine queued the mail).</summary>
    public string? Error { get; set; }
}
