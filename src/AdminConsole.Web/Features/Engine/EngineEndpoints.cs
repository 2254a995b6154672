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
        foreach (var counter in report.Counters)
        {
            if (counter.Values.Count == 0) w.Counter(counter.Name, counter.Help, 0);
            foreach (var v in counter.Values)
            {
                if (v.Label.Length == 0) w.Counter(counter.Name, counter.Help, v.Count);
                else w.Counter(counter.Name, counter.Help, v.Count, (v.Label, v.Value));
            }
        }
    }
}
