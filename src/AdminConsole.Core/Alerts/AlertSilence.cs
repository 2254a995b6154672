namespace AdminConsole.Core.Alerts;

/// <summary>
/// Keeps notifications of matching alerts quiet until <see cref="Until"/> (maintenance, a known
/// problem); the alerts are still evaluated and shown, marked silenced.
/// </summary>
public sealed class AlertSilence
{
    public Guid Id { get; set; }

    /// <summary>The rule silenced; null: every rule.</summary>
    public string? RuleId { get; set; }

    /// <summary>Only subjects containing this ("node=mx2"); null: every subject.</summary>
    public string? SubjectContains { get; set; }

    public DateTimeOffset Until { get; set; }
    public required string Reason { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public bool Matches(string ruleId, string subject, DateTimeOffset now) =>
        Until > now && (RuleId is null || RuleId == ruleId) && (SubjectContains is null || subject.Contains(SubjectContains, StringComparison.OrdinalIgnoreCase));
}
