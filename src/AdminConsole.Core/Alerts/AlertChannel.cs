namespace AdminConsole.Core.Alerts;

/// <summary>
/// Where alerts go: e-mail to chosen addresses (sent by our own engine, DKIM-signed) or a webhook.
/// Routing: alerts of at least <see cref="MinSeverity"/>, and of <see cref="Rules"/> when some are
/// named. A webhook's URL is a secret (Slack's and Matrix bridges' carry their token in it): sealed
/// by Data Protection, only its host is ever shown again.
/// </summary>
public sealed class AlertChannel
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public AlertChannelKind Kind { get; set; }

    /// <summary>For e-mail: the addresses (normalised).</summary>
    public List<string> Recipients { get; set; } = [];

    public byte[]? SealedUrl { get; set; }

    /// <summary>The webhook's scheme and host, to show which it is.</summary>
    public string? UrlHost { get; set; }

    public WebhookFormat Format { get; set; }
    public AlertSeverity MinSeverity { get; set; }

    /// <summary>Rule ids this channel takes; empty: every rule.</summary>
    public List<string> Rules { get; set; } = [];

    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}

public enum AlertChannelKind
{
    Email,
    Webhook,
}

/// <summary>The body a webhook gets: our JSON, or the message shapes Slack's and Matrix's incoming webhooks take.</summary>
public enum WebhookFormat
{
    Json,
    Slack,
    Matrix,
}
