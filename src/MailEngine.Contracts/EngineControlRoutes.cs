namespace MailEngine.Contracts;

/// <summary>
/// The HTTP form of <see cref="IEngineNode"/>, which a mailengine-node serves and the console's HTTP
/// node calls: one route per operation, JSON in web defaults, a bearer token on every request but
/// /healthz. A refused snapshot is 409 with problem details whose "status" extension is the node's
/// <see cref="EngineStatus"/>.
/// </summary>
public static class EngineControlRoutes
{
    /// <summary>The credential file (in $CREDENTIALS_DIRECTORY) holding the bearer token, on the node and in the console.</summary>
    public const string TokenCredential = "engine-control-token";

    public const string Snapshot = "/control/snapshot";
    public const string Status = "/control/status";
    public const string Telemetry = "/control/telemetry";
    public const string Usage = "/control/usage";
    public const string Scanner = "/control/scanner";
    public const string ScannerSelfTest = "/control/scanner/selftest";
    public const string ScannerTier = "/control/scanner/tier";
    public const string DmarcReports = "/control/dmarc-reports";

    /// <summary>POST an <see cref="OutgoingMail"/>: the recipients that could not be queued come back.</summary>
    public const string SendMail = "/control/send-mail";

    /// <summary>GET: the queued messages.</summary>
    public const string Queue = "/control/queue";

    /// <summary>POST /control/queue/{queueId}/{retry|bounce|delete}.</summary>
    public static string QueueAction(string queueId, QueueAction action) => $"{Queue}/{Uri.EscapeDataString(queueId)}/{action.ToString().ToLowerInvariant()}";

    /// <summary>GET with ?since= (ISO 8601): the reports received since then.</summary>
    public const string ReceivedReports = "/control/reports-in";
    public const string Health = "/healthz";

    /// <summary>The node's own metrics in the Prometheus text format (bearer token too).</summary>
    public const string Metrics = "/metrics";

    /// <summary>The body of PUT <see cref="ScannerTier"/>: a tier name, or null/"auto".</summary>
    public sealed record TierRequest(string? Tier);

    /// <summary>The body of POST <see cref="DmarcReports"/>: the UTC day to report.</summary>
    public sealed record DmarcReportsRequest(DateOnly Day);

    /// <summary>The body of POST <see cref="Usage"/>.</summary>
    public sealed record UsageRequest(IReadOnlyList<string> Addresses);
}
