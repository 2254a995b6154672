using AdminConsole.Core.Alerts;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;
using Microsoft.Extensions.Options;

namespace AdminConsole.Web.Features.Alerts;

internal static class AlertEndpoints
{
    /// <summary>The alerts now (firing first, then pending) and the newest fired/resolved events.</summary>
    public sealed record AlertsResource(IReadOnlyList<AlertService.AlertView> Alerts, IReadOnlyList<AlertService.AlertEventView> History);

    /// <summary>The body of POST /api/v1/alerts/acknowledge.</summary>
    public sealed record AcknowledgeRequest(string Rule, string Subject);

    public static void MapAlertApi(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts").AddEndpointFilter<ApiProblems>().WithTags("Alerts");
        alerts.MapGet("", async (int? history, AlertService service, CancellationToken ct) =>
            TypedResults.Ok(new AlertsResource(await service.CurrentAsync(ct), await service.HistoryAsync(history ?? 100, ct))))
            .WithSummary("The alerts firing and pending now, and the newest fired/resolved events (history=N, default 100).");
        alerts.MapGet("/rules", () => TypedResults.Ok(AlertService.Rules()))
            .WithSummary("The rules the console evaluates every minute.");
        alerts.MapGet("/prometheus-rules", (IOptions<AlertOptions> options) => TypedResults.Text(PrometheusAlertRules.Yaml(options.Value), "application/yaml"))
            .Produces<string>(StatusCodes.Status200OK, "application/yaml")
            .WithSummary("The same rules as a Prometheus rules file, with this installation's thresholds.");

        alerts.MapPost("/acknowledge", async (AcknowledgeRequest request, AlertChannelService service, HttpContext http, CancellationToken ct) =>
        {
            await service.AcknowledgeAsync(request.Rule, request.Subject, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite).WithSummary("Take a firing alert on: no repeated notifications until it resolves.");

        alerts.MapGet("/channels", async (AlertChannelService service, CancellationToken ct) => TypedResults.Ok(await service.ChannelsAsync(ct)))
            .WithSummary("Where alerts go (a webhook's URL is never returned, only its host).");
        alerts.MapPost("/channels", async (AlertChannelService.ChannelChanges request, AlertChannelService service, HttpContext http, CancellationToken ct) =>
        {
            var view = await service.CreateChannelAsync(request, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.Created($"/api/v1/alerts/channels/{Uri.EscapeDataString(view.Name)}", view);
        }).RequireAuthorization(ConsolePolicies.AdminWrite)
            .WithSummary("Add a channel: kind email (recipients) or webhook (url, format json|slack|matrix), minSeverity warning|critical, rules (empty: all).");
        alerts.MapDelete("/channels/{name}", async (string name, AlertChannelService service, HttpContext http, CancellationToken ct) =>
        {
            await service.DeleteChannelAsync(name, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        alerts.MapGet("/silences", async (AlertChannelService service, CancellationToken ct) => TypedResults.Ok(await service.SilencesAsync(ct)))
            .WithSummary("The silences active now and those ended in the last 7 days.");
        alerts.MapPost("/silences", async (AlertChannelService.SilenceRequest request, AlertChannelService service, HttpContext http, CancellationToken ct) =>
        {
            var view = await service.SilenceAsync(request, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.Created($"/api/v1/alerts/silences/{view.Id}", view);
        }).RequireAuthorization(ConsolePolicies.AdminWrite).WithSummary("Silence a rule (or every rule), optionally for subjects containing a text, until a time.");
        alerts.MapDelete("/silences/{id:guid}", async (Guid id, AlertChannelService service, HttpContext http, CancellationToken ct) =>
        {
            await service.EndSilenceAsync(id, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        alerts.MapGet("/notifications", async (int? limit, AlertChannelService service, CancellationToken ct) => TypedResults.Ok(await service.NotificationsAsync(limit ?? 100, ct)))
            .WithSummary("The newest notifications sent, with the channel's error when one failed.");
    }
}
