using System.Globalization;

namespace AdminConsole.Core.Alerts;

/// <summary>
/// The alert rules of the platform. Each has a console evaluation and the PromQL of the same check;
/// rules on backups, restore tests, the spam/ham band and blocklists come with those features.
/// </summary>
public static class AlertRules
{
    private static string N(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan span) => N(span.TotalSeconds);

    /// <summary>A ratio as a percentage in words ("9.5%"), the same whatever the server's culture.</summary>
    private static string Percent(double ratio, int decimals = 0) => (ratio * 100).ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture) + "%";

    private static string Node(string name) => $"node={name}";

    public static readonly AlertRule QueueBackedUp = new(
        "QueueBackedUp", "Queue backed up", AlertSeverity.Warning, TimeSpan.FromMinutes(10),
        "Look at the queue: a remote server refusing or unreachable, or a sender flooding. The oldest messages' last replies say which.",
        (inputs, o) => inputs.Nodes.Where(n => n.Telemetry is { } t && t.QueueLength > o.QueueMessagesMax)
            .Select(n => new AlertCondition("QueueBackedUp", Node(n.Name), n.Telemetry!.QueueLength,
                $"{n.Telemetry.QueueLength} messages are queued on {n.Name} (more than {o.QueueMessagesMax}).")),
        o => $"mailengine_queue_messages > {o.QueueMessagesMax}",
        "{{ $value }} messages are queued on {{ $labels.node }}");

    public static readonly AlertRule QueueStuck = new(
        "QueueStuck", "Queued mail is not leaving", AlertSeverity.Warning, TimeSpan.FromMinutes(5),
        "The oldest queued message has waited too long: see its last remote reply on the queue page, and retry or bounce it.",
        (inputs, o) => inputs.Nodes.Where(n => n.Telemetry is { } t && t.OldestQueuedSeconds > o.QueueOldestMax.TotalSeconds)
            .Select(n => new AlertCondition("QueueStuck", Node(n.Name), n.Telemetry!.OldestQueuedSeconds,
                $"The oldest message queued on {n.Name} has waited {TimeSpan.FromSeconds(Math.Round(n.Telemetry.OldestQueuedSeconds)):g} (more than {o.QueueOldestMax:g}).")),
        o => $"mailengine_queue_oldest_seconds > {Seconds(o.QueueOldestMax)}",
        "The oldest message queued on {{ $labels.node }} has waited {{ $value | humanizeDuration }}");

    /// <summary>The window of <see cref="DeliveryFailing"/>: the last 15 of the node's per-minute samples.</summary>
    public const int DeliveryWindowMinutes = 15;

    public static readonly AlertRule DeliveryFailing = new(
        "DeliveryFailing", "Deliveries failing", AlertSeverity.Warning, TimeSpan.FromMinutes(5),
        "Many deliveries are deferred or bounced: a remote provider refusing our mail (blocklist, reputation) or our DNS/DKIM broken. Read the replies in the queue and the traces.",
        (inputs, o) => inputs.Nodes.Where(n => n.Telemetry is not null).Select(n =>
        {
            var minutes = n.Telemetry!.LastHour.TakeLast(DeliveryWindowMinutes).ToList();
            long failed = minutes.Sum(m => m.Deferred + m.Bounced), attempts = failed + minutes.Sum(m => m.Delivered);
            var ratio = attempts == 0 ? 0 : (double)failed / attempts;
            return attempts >= o.DeliveryAttemptsMin && ratio > o.DeliveryFailureRatioMax
                ? new AlertCondition("DeliveryFailing", Node(n.Name), Math.Round(ratio, 3),
                    $"{failed} of {attempts} delivery attempts on {n.Name} in the last {DeliveryWindowMinutes} minutes were deferred or bounced ({Percent(ratio)}, more than {Percent(o.DeliveryFailureRatioMax)}).")
                : null;
        }).OfType<AlertCondition>(),
        o =>
        {
            string Increase(string counter) => $"sum by (node) (increase({counter}[{DeliveryWindowMinutes}m]))";
            var failed = $"({Increase("mailengine_messages_deferred_total")} + {Increase("mailengine_messages_bounced_total")})";
            var attempts = $"({failed} + {Increase("mailengine_messages_delivered_total")})";
            return $"{failed} / {attempts} > {N(o.DeliveryFailureRatioMax)} and {attempts} >= {o.DeliveryAttemptsMin}";
        },
        "{{ $value | humanizePercentage }} of the delivery attempts on {{ $labels.node }} were deferred or bounced");

    public static readonly AlertRule EngineNodeDown = new(
        "EngineNodeDown", "Engine node down", AlertSeverity.Critical, TimeSpan.FromMinutes(2),
        "The console cannot reach the node or its engine is not running: mail to it is refused or queued elsewhere. Check the node's service and its log.",
        (inputs, _) => inputs.Nodes.Where(n => !n.Running)
            .Select(n => new AlertCondition("EngineNodeDown", Node(n.Name), 0, $"The engine node {n.Name} is not running or does not answer.")),
        _ => "mailengine_node_up == 0",
        "The engine node {{ $labels.node }} is not running or does not answer");

    public static readonly AlertRule EngineNodeBehind = new(
        "EngineNodeBehind", "Engine node behind", AlertSeverity.Warning, TimeSpan.FromMinutes(10),
        "The node runs an older snapshot than the console compiled: changes (new mailboxes, passwords, certificates) have not reached it. The Engine page says why it refused the newest.",
        (inputs, _) => inputs.Nodes.Where(n => n.Running && !n.InSync)
            .Select(n => new AlertCondition("EngineNodeBehind", Node(n.Name), 0, $"The engine node {n.Name} does not run the newest snapshot.")),
        _ => "mailengine_node_in_sync == 0 and mailengine_node_up == 1",
        "The engine node {{ $labels.node }} does not run the newest snapshot");

    public static readonly AlertRule DiskSpaceLow = new(
        "DiskSpaceLow", "Disk space low", AlertSeverity.Critical, TimeSpan.FromMinutes(5),
        "When the Maildir or spool file system is full, mail is refused. Free space or grow the volume; quotas bound what mailboxes may take.",
        (inputs, o) => inputs.Nodes.SelectMany(n => (n.Telemetry?.Volumes ?? []).Where(v => v.FreeRatio < o.DiskFreeRatioMin)
            .Select(v => new AlertCondition("DiskSpaceLow", $"{Node(n.Name)},store={v.Store}", Math.Round(v.FreeRatio, 4),
                $"The {v.Store} file system of {n.Name} ({v.Path}) has {Percent(v.FreeRatio, 1)} free (less than {Percent(o.DiskFreeRatioMin)})."))),
        o => $"mailengine_volume_free_bytes / mailengine_volume_size_bytes < {N(o.DiskFreeRatioMin)}",
        "The {{ $labels.store }} file system of {{ $labels.node }} has {{ $value | humanizePercentage }} free");

    public static readonly AlertRule CertificateExpiring = new(
        "CertificateExpiring", "Certificate expiring", AlertSeverity.Warning, TimeSpan.Zero,
        "Renew it (Certificates page) or find why automatic renewal did not: its last error is on the page.",
        (inputs, o) => inputs.Certificates.Where(c => c.NotAfter - inputs.Now < TimeSpan.FromDays(o.CertificateDaysMin))
            .Select(c =>
            {
                var days = Math.Floor((c.NotAfter - inputs.Now).TotalDays);
                return new AlertCondition("CertificateExpiring", $"certificate={c.Name}", days,
                    days < 0 ? $"The certificate for {c.Name} expired on {c.NotAfter:yyyy-MM-dd}." : $"The certificate for {c.Name} expires on {c.NotAfter:yyyy-MM-dd}, in {days} days (fewer than {o.CertificateDaysMin}).");
            }),
        o => $"mailadmin_certificate_expiry_seconds < {o.CertificateDaysMin * 86400}",
        "The certificate for {{ $labels.certificate }} expires in {{ $value | humanizeDuration }}");

    public static readonly AlertRule CertificateRenewalFailing = new(
        "CertificateRenewalFailing", "Certificate renewal failing", AlertSeverity.Warning, TimeSpan.Zero,
        "The CA refused or could not be reached; the reason and the next attempt are on the Certificates page.",
        (inputs, _) => inputs.Certificates.Where(c => c.FailedAttempts > 0 && c.LastError is not null)
            .Select(c => new AlertCondition("CertificateRenewalFailing", $"certificate={c.Name}", c.FailedAttempts,
                $"Renewing the certificate for {c.Name} failed {c.FailedAttempts} time(s): {c.LastError}")),
        _ => "mailadmin_certificate_renewal_failures > 0",
        "Renewing the certificate for {{ $labels.certificate }} failed {{ $value }} time(s)");

    public static readonly AlertRule DkimSigningFailing = new(
        "DkimSigningFailing", "DKIM signing failing", AlertSeverity.Critical, TimeSpan.Zero,
        "Outgoing mail is deferred because a DKIM key cannot sign: see the engine log for the domain, and rotate or ensure its keys.",
        (inputs, _) => inputs.Nodes.Select(n => (n, Failures: n.Increase("mailengine_dkim_sign_failures_total", TimeSpan.FromMinutes(10))))
            .Where(x => x.Failures > 0)
            .Select(x => new AlertCondition("DkimSigningFailing", Node(x.n.Name), x.Failures, $"{x.Failures} message(s) on {x.n.Name} could not be DKIM-signed in the last 10 minutes.")),
        _ => "sum by (node) (increase(mailengine_dkim_sign_failures_total[10m])) > 0",
        "{{ $value }} message(s) on {{ $labels.node }} could not be DKIM-signed in the last 10 minutes");

    public static readonly AlertRule DnsRecordsBroken = new(
        "DnsRecordsBroken", "DNS records broken", AlertSeverity.Warning, TimeSpan.Zero,
        "Records are missing or wrong at the domain's name servers: the DNS page says which and can publish them.",
        (inputs, _) => inputs.DnsProblems.Where(d => d.Broken != 0)
            .Select(d => new AlertCondition("DnsRecordsBroken", $"domain={d.Domain}", d.Broken,
                d.Broken < 0 ? $"The last DNS check of {d.Domain} could not ask any name server." : $"{d.Broken} DNS record(s) of {d.Domain} are missing or wrong.")),
        _ => "mailadmin_dns_broken_records != 0",
        "{{ $value }} DNS record(s) of {{ $labels.domain }} are missing or wrong");

    public static readonly AlertRule AuthFailureSpike = new(
        "AuthFailureSpike", "Failed logins spike", AlertSeverity.Warning, TimeSpan.Zero,
        "Someone is guessing passwords: the addresses are in the engine log; bans and rate limits slow them, strong passwords stop them.",
        (inputs, o) => inputs.Nodes.Select(n => (n, Failures: n.Increase("mailengine_auth_failures_total", TimeSpan.FromMinutes(5))))
            .Where(x => x.Failures > o.AuthFailuresPer5MinutesMax)
            .Select(x => new AlertCondition("AuthFailureSpike", Node(x.n.Name), x.Failures,
                $"{x.Failures} failed logins on {x.n.Name} in the last 5 minutes (more than {o.AuthFailuresPer5MinutesMax}).")),
        o => $"sum by (node) (increase(mailengine_auth_failures_total[5m])) > {o.AuthFailuresPer5MinutesMax}",
        "{{ $value }} failed logins on {{ $labels.node }} in the last 5 minutes");

    public static IReadOnlyList<AlertRule> All { get; } =
        [QueueBackedUp, QueueStuck, DeliveryFailing, EngineNodeDown, EngineNodeBehind, DiskSpaceLow, CertificateExpiring, CertificateRenewalFailing, DkimSigningFailing, DnsRecordsBroken, AuthFailureSpike];

    public static AlertRule? Find(string id) => All.FirstOrDefault(r => r.Id == id);
}
