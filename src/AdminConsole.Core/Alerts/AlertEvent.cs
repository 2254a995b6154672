namespace AdminConsole.Core.Alerts;

/// <summary>An alert that fired or resolved: the Alerts page's history.</summary>
public sealed class AlertEvent
{
    public Guid Id { get; set; }
    public required string RuleId { get; set; }
    public required string Subject { get; set; }
    public AlertEventKind Kind { get; set; }
    public DateTimeOffset At { get; set; }
    public double Value { get; set; }
    public required string Message { get; set; }
}

public enum AlertEventKind
{
    Fired,
    Resolved,
}
