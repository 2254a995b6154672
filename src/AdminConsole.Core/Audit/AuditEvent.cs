namespace AdminConsole.Core.Audit;

/// <summary>One recorded change or security event: who did what to which object, and from where.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>"admin:alice@example.com", "token:ci-deploy", "mailbox:bob@example.com", "adminctl", "system".</summary>
    public required string Actor { get; set; }

    /// <summary>A dotted verb such as "admin.created", "signin.failed", "token.created".</summary>
    public required string Action { get; set; }

    public string? Target { get; set; }

    /// <summary>Structured details as JSON; never secrets or message bodies.</summary>
    public string? Details { get; set; }

    public string? RemoteAddress { get; set; }
}
