namespace AdminConsole.Core.Spam;

/// <summary>A domain's change to one scanner rule (or Bayes band): turned off, or scored differently.</summary>
public sealed class SpamRuleOverride
{
    public Guid Id { get; set; }
    public Guid DomainId { get; set; }
    public Domains.MailDomain Domain { get; set; } = default!;

    /// <summary>The rule's name as the engine's rule files give it (e.g. BODY_PHARMA_NAMES).</summary>
    public required string RuleName { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>The score for this domain; null keeps the rule's own.</summary>
    public double? Score { get; set; }

    public string? UpdatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
