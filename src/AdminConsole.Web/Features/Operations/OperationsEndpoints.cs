using System.Text.Json;
using AdminConsole.Core.Dashboard;
using AdminConsole.Web.Features.Auth;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace AdminConsole.Web.Features.Operations;

/// <summary>/healthz for load balancers and systemd watchdogs, /metrics for Prometheus.</summary>
internal static class OperationsEndpoints
{
    public const string MetricsPolicy = "metrics";
    public const string LiveTag = "live", ReadyTag = "ready";

    public static IServiceCollection AddOperationsEndpoints(this IServiceCollection services)
    {
        // /healthz (liveness) asks PostgreSQL only; /healthz/ready asks everything mail depends on.
        var checks = services.AddHealthChecks().AddCheck<PostgreSqlHealthCheck>("postgresql", tags: [LiveTag, ReadyTag]);
        foreach (var (name, part) in new[] { ("engine-nodes", ReadinessPart.EngineNodes), ("scanner", ReadinessPart.Scanner), ("queue", ReadinessPart.Queue), ("disk-space", ReadinessPart.DiskSpace), ("certificates", ReadinessPart.Certificates) })
            checks.Add(new HealthCheckRegistration(name, sp => ActivatorUtilities.CreateInstance<EngineReadinessCheck>(sp, part), failureStatus: null, tags: [ReadyTag], timeout: TimeSpan.FromSeconds(10)));
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section);
        services.AddSingleton<MetricsAccess>();
        var metrics = new ConsoleMetrics();
        services.AddSingleton(metrics);
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("mail-admin-console"))
            .WithMetrics(m => m
                .AddMeter(metrics.MeterName)
                // ASP.NET Core (requests, Kestrel connections, Blazor circuits), Npgsql's pool and commands, outgoing HTTP, the runtime.
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Components", "Microsoft.AspNetCore.Components.Server.Circuits",
                    "Microsoft.AspNetCore.Http.Connections", "Npgsql", "System.Net.Http", "System.Runtime")
                // Gauges named *.count would read as a histogram's _count series in Prometheus (promtool's lint says so).
                .AddView("db.client.connection.count", "db.client.connections")
                .AddView("dotnet.assembly.count", "dotnet.assemblies")
                .AddView("dotnet.process.cpu.count", "dotnet.process.cpus")
                .AddView("dotnet.thread_pool.thread.count", "dotnet.thread_pool.threads")
                .AddView("dotnet.timer.count", "dotnet.timers")
                // Every scrape sees the figures as they are (the exporter caches answers for 300 ms by default);
                // no otel_scope_* labels on every series.
                .AddPrometheusExporter(o => { o.ScrapeResponseCacheDurationMilliseconds = 0; o.ScopeInfoEnabled = false; }));
        // Prometheus scrapes with the scrape token, with a read token, or from an allowed network
        // directly: never because a proxy's address (127.0.0.1 behind nginx) is allowed.
        services.AddAuthorizationBuilder().AddPolicy(MetricsPolicy, p => p.RequireAssertion(c =>
            c.User.IsInRole(ConsolePolicies.AdministratorRole) || c.User.IsInRole(ConsolePolicies.ReadOnlyRole) ||
            (c.Resource is HttpContext http && http.RequestServices.GetRequiredService<MetricsAccess>().Allows(http))));
        return services;
    }

    public static void MapOperationsEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var (path, tag) in new[] { ("/healthz", LiveTag), ("/healthz/ready", ReadyTag) })
            app.MapHealthChecks(path, new HealthCheckOptions
            {
                Predicate = c => c.Tags.Contains(tag),
                ResultStatusCodes =
                {
                    [HealthStatus.Healthy] = StatusCodes.Status200OK,
                    [HealthStatus.Degraded] = StatusCodes.Status200OK,
                    [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
                },
                ResponseWriter = WriteHealthAsync,
            }).AllowAnonymous();

        // The exporter's branch takes the database's and the engine nodes' figures first (ConsoleMetrics).
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            await context.RequestServices.GetRequiredService<ConsoleMetrics>().RefreshAsync(context.RequestServices, context.RequestAborted);
            context.Response.Headers.CacheControl = "no-store";
            await next(context);
        }), optionsName: null).RequireAuthorization(MetricsPolicy);
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checkedAt = DateTimeOffset.UtcNow,
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
}
