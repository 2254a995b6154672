namespace AdminConsole.Core.Alerts;

/// <summary>
/// The thresholds of the alert rules (section "Alerts"). The console evaluates the rules with them
/// every minute, and <see cref="PrometheusAlertRules"/> writes the same thresholds into the rules file
/// for operators who run their own Prometheus.
/// </summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>A node's queue holding more messages than this is backed up.</summary>
    public int QueueMessagesMax { get; set; } = 100;

    /// <summary>A message older than this in a queue means deliveries are stuck.</summary>
    public TimeSpan QueueOldestMax { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The share of delivery attempts deferred or bounced over the last 15 minutes above which delivery is failing…</summary>
    public double DeliveryFailureRatioMax { get; set; } = 0.2;

    /// <summary>…once there were at least this many attempts in those 15 minutes (two failures of three are no trend).</summary>
    public int DeliveryAttemptsMin { get; set; } = 10;

    /// <summary>Free space of the Maildir or spool file system below this share of its size.</summary>
    public double DiskFreeRatioMin { get; set; } = 0.10;

    /// <summary>A certificate with fewer days left than this is expiring.</summary>
    public int CertificateDaysMin { get; set; } = 30;

    /// <summary>A firing alert nobody acknowledged is sent again this often.</summary>
    public TimeSpan RepeatInterval { get; set; } = TimeSpan.FromHours(4);

    /// <summary>The sender of alert mail, an address of one of our domains (its DKIM key signs); empty: alerts@ the first domain.</summary>
    public string? SenderAddress { get; set; }

    /// <summary>The console's address for links in notifications ("https://console.example.com"); empty: no link.</summary>
    public string? ConsoleUrl { get; set; }

    /// <summary>More failed logins than this on one node in five minutes is a spike (a password-guessing run).</summary>
    public int AuthFailuresPer5MinutesMax { get; set; } = 50;
}
