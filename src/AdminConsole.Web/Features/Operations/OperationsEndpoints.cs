using System.Text.Json;
using AdminConsole.Core.Dashboard;
using AdminConsole.Core.Telemetry;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Engine;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AdminConsole.Web.Features.Operations;

/// <summary>/healthz for load balancers and systemd watchdogs, /metrics for Prometheus.</summary>
internal static class OperationsEndpoints
{
    public const string MetricsPolicy = "metrics";

    public static IServiceCollection AddOperationsEndpoints(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<PostgreSqlHealthCheck>("postgresql");
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section);
        services.AddSingleton<MetricsAccess>();
        // Prometheus scrapes with the scrape token, with a read token, or from an allowed network
        // directly: never because a proxy's address (127.0.0.1 behind nginx) is allowed.
        services.AddAuthorizationBuilder().AddPolicy(MetricsPolicy, p => p.RequireAssertion(c =>
            c.User.IsInRole(ConsolePolicies.AdministratorRole) || c.User.IsInRole(ConsolePolicies.ReadOnlyRole) ||
            (c.Resource is HttpContext http && http.RequestServices.GetRequiredService<MetricsAccess>().Allows(http))));
        return services;
    }

    public static void MapOperationsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteHealthAsync,
        }).AllowAnonymous();

        app.MapGet("/metrics", WriteMetricsAsync).RequireAuthorization(MetricsPolicy);
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString().ToLowerInvariant(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }

    private static async Task WriteMetricsAsync(HttpContext context, DashboardStatistics statistics, EngineOverview engine)
    {
        var s = await statistics.TakeAsync(context.RequestAborted);
        var w = new PrometheusTextWriter();
        w.Gauge("mailadmin_database_up", "1 when PostgreSQL answers, else 0.", s.DatabaseUp ? 1 : 0);
        if (s.Counts is { } c)
        {
            w.Gauge("mailadmin_domains", "Mail domains configured.", c.Domains);
            w.Gauge("mailadmin_mailboxes", "Mailboxes configured, by state.", c.EnabledMailboxes, ("state", "enabled"));
            w.Gauge("mailadmin_mailboxes", "Mailboxes configured, by state.", c.Mailboxes - c.EnabledMailboxes, ("state", "disabled"));
            w.Gauge("mailadmin_groups", "Group aliases configured.", c.Groups);
            w.Gauge("mailadmin_admin_accounts", "Admin accounts.", c.AdminAccounts);
            w.Gauge("mailadmin_api_tokens_active", "API tokens not revoked.", c.ActiveApiTokens);
        }

        w.Gauge("mailadmin_job_servers_alive", "Hangfire servers with a recent heartbeat.", s.JobServers.Count(j => j.Alive));
        if (s.Jobs is { } j)
        {
            w.Gauge("mailadmin_jobs", "Hangfire jobs by state.", j.Enqueued, ("state", "enqueued"));
            w.Gauge("mailadmin_jobs", "Hangfire jobs by state.", j.Processing, ("state", "processing"));
            w.Gauge("mailadmin_jobs", "Hangfire jobs by state.", j.Scheduled, ("state", "scheduled"));
            w.Gauge("mailadmin_jobs", "Hangfire jobs by state.", j.Failed, ("state", "failed"));
            w.Counter("mailadmin_jobs_succeeded_total", "Hangfire jobs that succeeded.", j.Succeeded);
        }

        EngineEndpoints.WriteMetrics(await engine.TakeAsync(context.RequestAborted), w);

        context.Response.ContentType = PrometheusTextWriter.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(w.ToString(), context.RequestAborted);
    }
}
