using AdminConsole.Core.Alerts;
using AdminConsole.Web.Features.Api;
using Microsoft.Extensions.Options;

namespace AdminConsole.Web.Features.Alerts;

internal static class AlertEndpoints
{
    /// <summary>The alerts now (firing first, then pending) and the newest fired/resolved events.</summary>
    public sealed record AlertsResource(IReadOnlyList<AlertService.AlertView> Alerts, IReadOnlyList<AlertService.AlertEventView> History);

    public static void MapAlertApi(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts").AddEndpointFilter<ApiProblems>().WithTags("Alerts");
        alerts.MapGet("", async (int? history, AlertService service, CancellationToken ct) =>
            TypedResults.Ok(new AlertsResource(await service.CurrentAsync(ct), await service.HistoryAsync(history ?? 100, ct))))
            .WithSummary("The alerts firing and pending now, and the newest fired/resolved events (history=N, default 100).");
        alerts.MapGet("/rules", () => TypedResults.Ok(AlertService.Rules()))
            .WithSummary("The rules the console evaluates every minute.");
        alerts.MapGet("/prometheus-rules", (IOptions<AlertOptions> options) => TypedResults.Text(PrometheusAlertRules.Yaml(options.Value), "application/yaml"))
            .WithSummary("The same rules as a Prometheus rules file, with this installation's thresholds.");
    }
}
