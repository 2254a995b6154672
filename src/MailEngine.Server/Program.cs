using MailEngine.Contracts;
using MailEngine.Hosting;
using MailEngine.Server;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

// An engine node: the mail engine without the console. It serves mail from the last snapshot in its
// state folder and serves the engine contract (EngineControlApi) to the console's snapshot follower,
// authenticated with the bearer token in the credential file "engine-control-token"
// ($CREDENTIALS_DIRECTORY).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddMailEngine(builder.Configuration);
builder.Services.AddOpenTelemetry()
    .ConfigureResource(r => r.AddService("mailengine-node"))
    .WithMetrics(m => m
        .AddMeter($"{MailEngine.Telemetry.EngineCounters.MeterPrefix}.*", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
        // Every scrape sees the counters as they are (the exporter caches answers for 300 ms by default);
        // no otel_scope_* labels on every series.
        .AddPrometheusExporter(o => { o.ScrapeResponseCacheDurationMilliseconds = 0; o.ScopeInfoEnabled = false; }));
builder.WebHost.UseUrls(builder.Configuration["Engine:Control:Url"] ?? "http://127.0.0.1:8025");

var app = builder.Build();
var credentials = builder.Configuration["Credentials:Directory"] ?? Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
var tokenFile = credentials is null ? null : Path.Combine(credentials, EngineControlRoutes.TokenCredential);
var token = tokenFile is not null && File.Exists(tokenFile) ? File.ReadAllText(tokenFile).Trim() : null;
app.MapEngineControlApi(string.IsNullOrEmpty(token) ? null : token);
app.Run();
