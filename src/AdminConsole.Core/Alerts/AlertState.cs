namespace AdminConsole.Core.Alerts;

/// <summary>
/// A rule's condition holding now for one subject: pending until it has held for the rule's
/// <see cref="AlertRule.For"/>, then firing until an evaluation no longer finds it (then resolved,
/// kept as <see cref="AlertEvent"/>s). One row per rule and subject.
/// </summary>
public sealed class AlertState
{
    public Guid Id { get; set; }
    public required string RuleId { get; set; }
    public required string Subject { get; set; }
    public AlertStatus Status { get; set; }

    /// <summary>When an evaluation first found the condition.</summary>
    public DateTimeOffset Since { get; set; }

    public DateTimeOffset? FiredAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public double Value { get; set; }
    public required string Message { get; set; }

    /// <summary>When the channels were last told (firing or a repeat); null: never.</summary>
    public DateTimeOffset? NotifiedAt { get; set; }

    /// <summary>Someone took it on: no repeats until it resolves.</summary>
    public string? AcknowledgedBy { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }
}

public enum AlertStatus
{
    Pending,
    Firing,
}
