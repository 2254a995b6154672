using AdminConsole.Web.Features.Certificates;
using AdminConsole.Core;
using AdminConsole.Core.Dns;
using AdminConsole.Core.Engine;
using AdminConsole.Core.Jobs;
using AdminConsole.Web.Components;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Diagnostics;
using AdminConsole.Web.Features.Dns;
using AdminConsole.Web.Features.Engine;
using AdminConsole.Web.Features.Operations;
using AdminConsole.Web.Features.Reports;
using Hangfire;
using MailEngine.Hosting;
using MudBlazor.Services;
using Scalar.AspNetCore;

namespace AdminConsole.Web.Hosting;

/// <summary>Wires the console: each area adds its services and maps its endpoints here, so Program.cs stays short.</summary>
internal static class AdminConsoleHost
{
    public const string EngineEnabledKey = "Engine:Enabled";

    /// <summary>The largest message a browser may send over the circuit (see the hub options below).</summary>
    public const long MaxFormMessageBytes = 1024 * 1024;

    public static WebApplicationBuilder AddAdminConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAdminConsoleCore(builder.Configuration);
        services.AddAdminConsoleDataProtection();
        services.AddAdminConsoleJobs();
        services.AddHangfireServer((sp, o) =>
        {
            o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            o.WorkerCount = Math.Max(2, Environment.ProcessorCount);
            // Jobs are built from this host's services: Hangfire's default is the static JobActivator.Current,
            // which the last host configured in the process wins (the tests run several hosts at once).
            o.Activator = new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>());
        });

        // The composition root is the one place the console meets the engine's implementation: with
        // Engine:Enabled (the default) the engine runs in this process and is the node "local"; the
        // rest of the console knows engines only through IEngineNode (EngineNodes).
        if (builder.Configuration.GetValue(EngineEnabledKey, true))
        {
            services.AddMailEngine(builder.Configuration);
            services.AddSingleton<MailEngine.Contracts.IEngineNode>(sp => sp.GetRequiredService<InProcessEngineNode>());
        }

        services.AddEngineNodes();
        builder.AddConsoleHttps();
        services.AddConsoleProxy(builder.Configuration);
        services.AddConsoleAuthentication();
        services.AddOperationsEndpoints();
        services.AddEngineFeature();
        services.AddDiagnosticsFeature();
        services.AddReportsFeature();
        services.AddProblemDetails();
        services.AddOpenApi("v1", ApiDocument.Configure);
        // Malformed JSON or a wrong type is the client's error: 400 with the field named (ApiBindingProblems).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<ApiBindingProblems>();
        // SecurityHeaders sends X-Frame-Options: DENY; antiforgery would add a second, weaker SAMEORIGIN.
        services.AddAntiforgery(o => o.SuppressXFrameOptionsHeader = true);
        // A form's value travels to the server in one hub message, per keystroke or on change. SignalR's
        // default of 32 KB ends the circuit on a legal Sieve script of half its 64 KiB limit: the value
        // is lost while the page still looks alive. 1 MiB holds the largest form value JSON-escaped
        // (control characters become six bytes), and values over a form's limit reach the server to be
        // refused beside their field.
        services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = MaxFormMessageBytes);
        services.AddMudServices();
        services.AddHttpContextAccessor();
        services.AddScoped<Components.ConsoleSession>();
        return builder;
    }

    /// <summary>A browser asking for a console page (not the API, a machine endpoint or a file).</summary>
    private static bool IsPageRequest(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/openapi") && !request.Path.StartsWithSegments("/jobs")
        && !request.Path.StartsWithSegments("/metrics") && !request.Path.StartsWithSegments("/healthz") && !request.Path.StartsWithSegments("/.well-known")
        && !request.Path.StartsWithSegments("/_blazor") && !request.Path.StartsWithSegments("/_framework") && !request.Path.StartsWithSegments("/_content")
        && !Path.HasExtension(request.Path.Value);

    public static WebApplication UseAdminConsole(this WebApplication app)
    {
        // First: everything after it (HSTS, Secure cookies, audit, sign-in limits) sees the real client and scheme.
        app.UseConsoleProxy();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            app.UseHsts(); // sent on https requests only: directly, or forwarded by a known proxy
        }
        else
        {
            app.UseExceptionHandler();
        }

        // A mistyped console address gets the console's Not found page (still a 404); the API, the
        // machine endpoints and the job dashboard keep plain status pages or problem details.
        app.UseWhen(c => IsPageRequest(c.Request), b => b.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseWhen(c => !IsPageRequest(c.Request), b => b.UseStatusCodePages());
        app.UseSecurityHeaders();
        app.UseStaticFiles();
        // Routing here, after the status code pages: a re-executed /not-found is matched again.
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapOperationsEndpoints();
        app.MapClientSettingsEndpoints();
        app.MapAcmeChallengeEndpoints();
        app.MapAuthEndpoints();
        app.MapApiV1();
        // The API's description for automation, and a browsable reference for people.
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/api/docs", o => o.WithTitle("Mail admin console API").WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()); // no requests to a font CDN: the console works offline
        app.MapGet("/api/docs", () => Results.Redirect("/api/docs/v1")).ExcludeFromDescription();
        app.MapHangfireDashboard("/jobs", new DashboardOptions
        {
            // Access is decided by the endpoint's policy below, not by Hangfire's local-requests-only default.
            Authorization = [],
            DashboardTitle = "Jobs",
            AppPath = "/",
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        // Our CSP already says frame-ancestors 'none'; Blazor would add a second CSP header with 'self'.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

        // On this host's own storage, not the static JobStorage.Current (see AddAdminConsoleJobs).
        var recurring = new RecurringJobManager(app.Services.GetRequiredService<JobStorage>());
        recurring.AddOrUpdate<AuditRetentionJob>(AuditRetentionJob.RecurringJobId, j => j.RunAsync(CancellationToken.None), Cron.Daily(3));
        recurring.AddOrUpdate<EnginePushJob>(EnginePushJob.RecurringJobId, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<DnsCheckJob>(DnsCheckJob.RecurringJobId, j => j.RunAsync(CancellationToken.None), Cron.Daily(4));
        recurring.AddOrUpdate<DnsCheckJob>(DnsCheckJob.ChangedJobId, j => j.RunChangedAsync(CancellationToken.None), "*/10 * * * *");
        recurring.AddOrUpdate<Core.Srs.SrsSecretJob>(Core.Srs.SrsSecretJob.RecurringJobId, j => j.RunAsync(CancellationToken.None), Cron.Daily(3));
        recurring.AddOrUpdate<Core.Reports.ReportImportJob>(Core.Reports.ReportImportJob.RecurringJobId, j => j.RunAsync(CancellationToken.None), "*/5 * * * *");
        recurring.AddOrUpdate<Core.Reports.DmarcReportJob>(Core.Reports.DmarcReportJob.RecurringJobId, j => j.RunAsync(CancellationToken.None), "20 0 * * *");
        recurring.AddOrUpdate<Core.Dkim.DkimRotationJob>(Core.Dkim.DkimRotationJob.RecurringJobId, j => j.RunAsync(CancellationToken.None), Cron.Hourly(17));
        recurring.AddOrUpdate<Core.Certificates.CertificateRenewalJob>(Core.Certificates.CertificateRenewalJob.RecurringJobId, j => j.RunAsync(CancellationToken.None), Cron.Hourly(41));
        recurring.AddOrUpdate<Core.Alerts.AlertEvaluationJob>(Core.Alerts.AlertEvaluationJob.RecurringJobId, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
        // Push once at start: the engine gets the current state without waiting for the first minute.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            try
            {
                app.Services.GetRequiredService<EnginePushScheduler>().Request();
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                app.Logger.LogWarning("The first engine push could not be queued ({Reason}); the reconcile job will push.", e.Message);
            }
        });
        return app;
    }
}
