using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;

namespace AdminConsole.Web.Features.Diagnostics;

/// <summary>
/// /api/v1/diagnostics/scanner: the scanner's platform, tier and rules (GET); the self-test over
/// every tier (POST …/selftest); forcing a tier (PUT …/tier with {"tier": "auto|native|ssse3|managed"}, audited).
/// </summary>
internal static class DiagnosticsEndpoints
{
    public sealed record TierRequest(string? Tier);

    public static IServiceCollection AddDiagnosticsFeature(this IServiceCollection services) => services.AddScoped<ScannerDiagnostics>();

    public static void MapDiagnosticsApi(this RouteGroupBuilder api)
    {
        var scanner = api.MapGroup("/diagnostics/scanner").AddEndpointFilter<ApiProblems>().WithTags("Diagnostics");
        scanner.MapGet("/", (ScannerDiagnostics diagnostics) => TypedResults.Ok(diagnostics.Take()));
        // The self-test only reads; it takes a few seconds of CPU, so it needs write access all the same.
        scanner.MapPost("/selftest", async (ScannerDiagnostics diagnostics, CancellationToken ct) => TypedResults.Ok(await Task.Run(diagnostics.SelfTest, ct)))
            .RequireAuthorization(ConsolePolicies.AdminWrite);
        scanner.MapPut("/tier", async (TierRequest request, ScannerDiagnostics diagnostics, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await diagnostics.ForceAsync(request.Tier, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct)))
            .RequireAuthorization(ConsolePolicies.AdminWrite);
    }
}
