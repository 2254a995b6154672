using System.Diagnostics.Metrics;
using AdminConsole.Core.Dashboard;
using AdminConsole.Web.Features.Engine;
using MailEngine.Contracts;

namespace AdminConsole.Web.Features.Operations;

/// <summary>
/// The console's own instruments (meter "AdminConsole"): what PostgreSQL and Hangfire hold, and every
/// engine node's state and counters with a <c>node</c> label, read through the engine contract so a
/// remote node counts as much as the one in this process. Observable instruments read the figures
/// <see cref="RefreshAsync"/> took just before the exporter collects (the callbacks cannot wait for
/// PostgreSQL or a node); the exporter (OpenTelemetry's Prometheus exporter) names them the
/// Prometheus way: dots become underscores, counters end in <c>_total</c>, seconds in <c>_seconds</c>.
/// </summary>
public sealed class ConsoleMetrics : IDisposable
{
    /// <summary>
    /// Each console has a meter of its own name (AdminConsole.&lt;id&gt;): a listener takes meters by
    /// name, so two consoles in one process (the tests' hosts) would otherwise report each other's figures.
    /// </summary>
    public string MeterName { get; } = $"AdminConsole.{Guid.NewGuid():N}";

    private readonly Meter _meter;
    private readonly HashSet<string> _engineCounters = new(StringComparer.Ordinal);
    private volatile DashboardStatistics.Snapshot? _statistics;
    private volatile EngineOverview.Report? _engine;
    private volatile Taken? _taken;

    /// <summary>What the console's own tables say for the rules' metrics: certificates and alerts.</summary>
    private sealed record Taken(DateTimeOffset At, IReadOnlyList<AdminConsole.Core.Alerts.AlertInputs.Certificate> Certificates, IReadOnlyList<(string Rule, string Severity)> Firing);

    public ConsoleMetrics()
    {
        _meter = new Meter(MeterName);
        Gauge("mailadmin.database.up", "1 when PostgreSQL answers, else 0.", () => _statistics is { } s ? [new(s.DatabaseUp ? 1 : 0)] : []);
        Gauge("mailadmin.domains", "Mail domains configured.", () => Counts(c => c.Domains));
        Gauge("mailadmin.mailboxes", "Mailboxes configured, by state.", () => _statistics?.Counts is { } c
            ? [new(c.EnabledMailboxes, new KeyValuePair<string, object?>("state", "enabled")), new(c.Mailboxes - c.EnabledMailboxes, new KeyValuePair<string, object?>("state", "disabled"))]
            : []);
        Gauge("mailadmin.groups", "Group aliases configured.", () => Counts(c => c.Groups));
        Gauge("mailadmin.admin_accounts", "Admin accounts.", () => Counts(c => c.AdminAccounts));
        Gauge("mailadmin.api_tokens_active", "API tokens not revoked.", () => Counts(c => c.ActiveApiTokens));
        Gauge("mailadmin.job_servers_alive", "Hangfire servers with a recent heartbeat.", () => _statistics is { } s ? [new(s.JobServers.Count(j => j.Alive))] : []);
        Gauge("mailadmin.jobs", "Hangfire jobs by state.", () => _statistics?.Jobs is { } j
            ? [Labelled(j.Enqueued, "state", "enqueued"), Labelled(j.Processing, "state", "processing"), Labelled(j.Scheduled, "state", "scheduled"), Labelled(j.Failed, "state", "failed")]
            : []);
        _meter.CreateObservableCounter("mailadmin.jobs.succeeded", () => _statistics?.Jobs is { } j ? [new Measurement<long>(j.Succeeded)] : Array.Empty<Measurement<long>>(),
            description: "Hangfire jobs that succeeded.");
        Gauge("mailadmin.dns.broken_domains", "Domains whose newest live DNS check found records missing or wrong.", () => _statistics?.DnsProblems is { } d ? [new(d.Count)] : []);

        Gauge("mailengine.node.up", "1 when the console reached the engine node at its last contact and it runs, else 0.", () => Nodes(n => n.Running ? 1 : 0));
        Gauge("mailengine.node.in_sync", "1 when the node runs the newest snapshot the console compiled, else 0.", () => Nodes(n => n.InSync ? 1 : 0));
        Gauge("mailengine.snapshot.applied_version", "Snapshot version the node runs.", () => Nodes(n => n.AppliedVersion));
        Gauge("mailengine.snapshot.desired_version", "Latest snapshot version compiled by the console.", () => _engine?.DesiredVersion is { } v ? [new(v)] : []);
        Gauge("mailengine.queue.messages", "Messages in the node's delivery queue.", () => Nodes(n => n.QueueLength));
        _meter.CreateObservableGauge("mailengine.queue.oldest", () => _engine is { } e ? e.Nodes.Select(n => new Measurement<double>(n.OldestQueuedSeconds, Node(n))) : [],
            unit: "s", description: "Age of the oldest message in the node's queue.");
        _meter.CreateObservableGauge("mailengine.volume.free", () => Volumes(v => v.FreeBytes), unit: "By", description: "Free space of the file system holding the node's Maildirs or spool, by store.");
        _meter.CreateObservableGauge("mailengine.volume.size", () => Volumes(v => v.TotalBytes), unit: "By", description: "Size of the file system holding the node's Maildirs or spool, by store.");

        _meter.CreateObservableGauge("mailadmin.certificate.expiry", () => _taken is { } t
                ? t.Certificates.Select(c => new Measurement<double>(Math.Round((c.NotAfter - t.At).TotalSeconds), new KeyValuePair<string, object?>("certificate", c.Name)))
                : [],
            unit: "s", description: "Time left until the server certificate expires, by its first name.");
        Gauge("mailadmin.certificate.renewal_failures", "Failed renewals since the certificate's last success, by its first name.", () => _taken is { } t
            ? t.Certificates.Select(c => Labelled(c.FailedAttempts, "certificate", c.Name))
            : []);
        Gauge("mailadmin.dns.broken_records", "Records missing or wrong at the domain's name servers at its newest check (-1: none could be asked), domains with problems only.", () =>
            _statistics?.DnsProblems is { } d ? d.Select(p => Labelled(p.Broken, "domain", p.Domain)) : []);
        Gauge("mailadmin.alerts.firing", "Alerts firing now, by rule and severity.", () => _taken is { } t
            ? t.Firing.GroupBy(f => f).Select(g => new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("alert", g.Key.Rule), new KeyValuePair<string, object?>("severity", g.Key.Severity)))
            : []);
    }

    /// <summary>Takes the figures the next collection reports; run on the scrape's request, before the exporter.</summary>
    public async Task RefreshAsync(IServiceProvider services, CancellationToken ct)
    {
        _statistics = await services.GetRequiredService<DashboardStatistics>().TakeAsync(ct);
        var engine = await services.GetRequiredService<EngineOverview>().TakeAsync(ct);
        // An engine counter is an instrument from the first report that names it (a newer node may bring more).
        foreach (var counter in engine.Nodes.SelectMany(n => n.Counters).DistinctBy(c => c.Name))
        {
            lock (_engineCounters)
            {
                if (!_engineCounters.Add(counter.Name)) continue;
            }

            var name = counter.Name;
            _meter.CreateObservableCounter(CounterReport.InstrumentName(name), () => EngineCounter(name), description: counter.Help);
        }

        _engine = engine;

        var certificates = await AdminConsole.Core.Alerts.AlertInputSource.CertificatesAsync(services.GetRequiredService<AdminConsole.Core.Data.AdminDbContext>(), ct);
        var firing = await services.GetRequiredService<AdminConsole.Core.Alerts.AlertService>().CurrentAsync(ct);
        _taken = new Taken(services.GetRequiredService<TimeProvider>().GetUtcNow(), certificates,
            [.. firing.Where(a => a.Status == "firing").Select(a => (a.Rule, a.Severity))]);
    }

    private IEnumerable<Measurement<long>> Volumes(Func<VolumeSpace, long> value) =>
        _engine is { } e ? e.Nodes.SelectMany(n => n.Volumes.Select(v => new Measurement<long>(value(v), Node(n), new KeyValuePair<string, object?>("store", v.Store)))) : [];

    private IEnumerable<Measurement<long>> EngineCounter(string name)
    {
        if (_engine is not { } engine) yield break;
        foreach (var node in engine.Nodes)
        {
            var counter = node.Counters.FirstOrDefault(c => c.Name == name);
            if (counter is null) continue;
            if (counter.Values.Count == 0) yield return new(0, Node(node));
            foreach (var v in counter.Values)
                yield return v.Label.Length == 0 ? new(v.Count, Node(node)) : new(v.Count, Node(node), new KeyValuePair<string, object?>(v.Label, v.Value));
        }
    }

    private void Gauge(string name, string help, Func<IEnumerable<Measurement<long>>> observe) =>
        _meter.CreateObservableGauge(name, observe, description: help);

    private IEnumerable<Measurement<long>> Counts(Func<DashboardStatistics.DirectoryCounts, long> value) =>
        _statistics?.Counts is { } c ? [new(value(c))] : [];

    private IEnumerable<Measurement<long>> Nodes(Func<EngineOverview.NodeReport, long> value) =>
        _engine is { } e ? e.Nodes.Select(n => new Measurement<long>(value(n), Node(n))) : [];

    private static KeyValuePair<string, object?> Node(EngineOverview.NodeReport node) => new("node", node.Name);

    private static Measurement<long> Labelled(long value, string label, string labelValue) => new(value, new KeyValuePair<string, object?>(label, labelValue));

    public void Dispose() => _meter.Dispose();
}
