using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailEngine.Contracts;
using MailEngine.Hosting;

namespace MailEngine.Server;

/// <summary>
/// Serves the engine contract (<see cref="IEngineNode"/>) over HTTP, exactly as
/// <see cref="EngineControlRoutes"/> describes it, from the same <see cref="InProcessEngineNode"/> the
/// console uses for an engine in its own process. Every route needs the bearer token of the credential
/// file "engine-control-token"; without that file the control API is off and the node serves the
/// snapshot it has (only /healthz answers).
/// </summary>
public static class EngineControlApi
{
    public static WebApplication MapEngineControlApi(this WebApplication app, string? token)
    {
        // Unauthenticated, so it says nothing a probe should not know: up or not, the version, the scanner's state.
        app.MapGet(EngineControlRoutes.Health, (MailEngineHost engine) =>
            engine.Running
                ? Results.Ok(new { status = "healthy", engine.Status.AppliedVersion, scanner = engine.Scanner.Ready ? "ready" : "compiling" })
                : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        if (token is null)
        {
            app.Logger.LogWarning("No {Credential} credential: the control API is off; serving the saved snapshot", EngineControlRoutes.TokenCredential);
            return app;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        // Compared as hashes in fixed time: neither the length nor a prefix of the token leaks.
        bool Authorized(HttpRequest request) =>
            request.Headers.Authorization.ToString() is var header && header.StartsWith("Bearer ", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())), expected);

        var control = app.MapGroup("").AddEndpointFilter(async (context, next) =>
            Authorized(context.HttpContext.Request) ? await next(context) : Results.Unauthorized());

        // The node's own .NET metrics (its MailEngine.* meters, Kestrel, the runtime) for a Prometheus
        // that scrapes nodes directly; the console's /metrics has every node's counters with a node label.
        app.MapPrometheusScrapingEndpoint(EngineControlRoutes.Metrics, meterProvider: null, configureBranchedPipeline: branch => branch.Use(async (context, next) =>
        {
            if (Authorized(context.Request)) await next(context);
            else context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        }), optionsName: null);

        control.MapPut(EngineControlRoutes.Snapshot, async (HttpRequest request, InProcessEngineNode node, CancellationToken ct) =>
        {
            EngineSnapshot? snapshot;
            try
            {
                snapshot = await JsonSerializer.DeserializeAsync(request.Body, SnapshotJson.Default.EngineSnapshot, ct);
            }
            catch (JsonException e)
            {
                return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "The snapshot is not valid JSON");
            }

            if (snapshot is null) return Results.Problem("The body is empty.", statusCode: StatusCodes.Status400BadRequest);
            var status = await node.ApplyAsync(snapshot, ct);
            return status.AppliedVersion == snapshot.Version
                ? Results.Ok(status)
                : Results.Problem(status.LastError, statusCode: StatusCodes.Status409Conflict, extensions: new Dictionary<string, object?> { ["status"] = status });
        });
        control.MapGet(EngineControlRoutes.Status, (InProcessEngineNode node, CancellationToken ct) => node.StatusAsync(ct));
        control.MapGet(EngineControlRoutes.Telemetry, (InProcessEngineNode node, CancellationToken ct) => node.TelemetryAsync(ct));
        control.MapPost(EngineControlRoutes.Usage, (EngineControlRoutes.UsageRequest request, InProcessEngineNode node, CancellationToken ct) => node.UsageAsync(request.Addresses, ct));
        control.MapGet(EngineControlRoutes.Scanner, (InProcessEngineNode node, CancellationToken ct) => node.ScannerAsync(ct));
        control.MapPost(EngineControlRoutes.ScannerSelfTest, (InProcessEngineNode node, CancellationToken ct) => node.SelfTestAsync(ct));
        control.MapGet(EngineControlRoutes.ReceivedReports, (DateTimeOffset since, InProcessEngineNode node, CancellationToken ct) => node.ReceivedReportsAsync(since, ct));
        control.MapGet(EngineControlRoutes.Queue, (InProcessEngineNode node, CancellationToken ct) => node.QueueAsync(ct));
        control.MapPost(EngineControlRoutes.Queue + "/{queueId}/{action}", async (string queueId, string action, InProcessEngineNode node, CancellationToken ct) =>
            Enum.TryParse<QueueAction>(action, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(action, out _)
                ? Results.Ok(await node.QueueActionAsync(queueId, parsed, ct))
                : Results.Problem($"Unknown action '{action}': retry, bounce or delete.", statusCode: StatusCodes.Status400BadRequest));
        control.MapPost(EngineControlRoutes.SendMail, (OutgoingMail mail, InProcessEngineNode node, CancellationToken ct) => node.SendMailAsync(mail, ct));
        control.MapPost(EngineControlRoutes.DmarcReports, (EngineControlRoutes.DmarcReportsRequest request, InProcessEngineNode node, CancellationToken ct) => node.SendDmarcReportsAsync(request.Day, ct));
        control.MapPut(EngineControlRoutes.ScannerTier, async (EngineControlRoutes.TierRequest request, InProcessEngineNode node, CancellationToken ct) =>
            ScannerTierName.TryParse(request.Tier, out var tier)
                ? Results.Ok(await node.ForceTierAsync(tier, ct))
                : Results.Problem($"Unknown tier '{request.Tier}': auto, native, ssse3 or managed.", statusCode: StatusCodes.Status400BadRequest));
        return app;
    }
}
