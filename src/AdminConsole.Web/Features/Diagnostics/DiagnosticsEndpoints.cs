using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;

namespace AdminConsole.Web.Features.Diagnostics;

/// <summary>
/// /api/v1/diagnostics/scanner: the scanner's platform, tier and rules (GET); the self-test over
/// every tier (POST …/selftest); forcing a tier (PUT …/tier with {"tier": "auto|native|ssse3|managed"}, audited).
/// Each of a node (?node=name), the first engine node by default. /api/v1/diagnostics/auth-check (POST):
/// the inbound SPF/DKIM/DMARC checks on a message with the SMTP facts given (<see cref="AuthCheck"/>).
/// </summary>
internal static class DiagnosticsEndpoints
{
    public sealed record TierRequest(string? Tier);

    public static IServiceCollection AddDiagnosticsFeature(this IServiceCollection services) => services.AddScoped<ScannerDiagnostics>().AddScoped<AuthCheck>();

    public static void MapDiagnosticsApi(this RouteGroupBuilder api)
    {
        var scanner = api.MapGroup("/diagnostics/scanner").AddEndpointFilter<ApiProblems>().WithTags("Diagnostics");
        scanner.MapGet("/", async (string? node, ScannerDiagnostics diagnostics, CancellationToken ct) => TypedResults.Ok(await diagnostics.TakeAsync(node, ct)));
        // The self-test only reads; it takes a few seconds of CPU, so it needs write access all the same.
        scanner.MapPost("/selftest", async (string? node, ScannerDiagnostics diagnostics, CancellationToken ct) => TypedResults.Ok(await diagnostics.SelfTestAsync(node, ct)))
            .RequireAuthorization(ConsolePolicies.AdminWrite);
        scanner.MapPut("/tier", async (string? node, TierRequest request, ScannerDiagnostics diagnostics, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await diagnostics.ForceAsync(node, request.Tier, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct)))
            .RequireAuthorization(ConsolePolicies.AdminWrite);

        // Reads only, but it makes DNS queries on the caller's behalf: readers may run it.
        api.MapGroup("/diagnostics/auth-check").AddEndpointFilter<ApiProblems>().WithTags("Diagnostics")
            .MapPost("/", async (AuthCheck.Request request, AuthCheck check, CancellationToken ct) => TypedResults.Ok(await check.RunAsync(request, ct)));
    }
}
