using AdminConsole.Core.Telemetry;

namespace AdminConsole.Web.Features.Engine;

internal static class EngineEndpoints
{
    public static IServiceCollection AddEngineFeature(this IServiceCollection services) => services.AddScoped<EngineOverview>();

    /// <summary>GET /api/v1/engine/status: desired vs applied version, queue and counters.</summary>
    public static void MapEngineApi(this RouteGroupBuilder api) =>
        api.MapGet("/engine/status", async (EngineOverview overview, CancellationToken ct) => TypedResults.Ok(await overview.TakeAsync(ct))).WithTags("Engine");

    /// <summary>The engine's counters and gauges in the Prometheus exposition.</summary>
    public static void WriteMetrics(EngineOverview.Report report, PrometheusTextWriter w)
    {
        w.Gauge("mailengine_snapshot_applied_version", "Snapshot version the engine runs.", report.AppliedVersion);
        if (report.DesiredVersion is { } desired) w.Gauge("mailengine_snapshot_desired_version", "Latest snapshot version compiled by the console.", desired);
        w.Gauge("mailengine_queue_messages", "Messages in the delivery queue.", report.QueueLength);
        w.Gauge("mailengine_queue_oldest_seconds", "Age of the oldest queued message.", report.OldestQueuedSeconds);
        foreach (var (name, values) in report.Counters)
        {
            var help = name switch
            {
                "mailengine_messages_accepted_total" => "Messages accepted with 250 after DATA.",
                "mailengine_messages_rejected_total" => "Recipients or messages refused, by reason.",
                "mailengine_messages_delivered_total" => "Copies delivered, by kind.",
                "mailengine_messages_deferred_total" => "Delivery attempts to be retried.",
                "mailengine_messages_bounced_total" => "Copies that failed permanently.",
                _ => "Failed SMTP AUTH attempts.",
            };
            if (values.Count == 0) w.Counter(name, help, 0);
            foreach (var v in values)
            {
                if (v.Label.Length == 0) w.Counter(name, help, v.Count);
                else w.Counter(name, help, v.Count, (v.Label, v.Value));
            }
        }
    }
}
