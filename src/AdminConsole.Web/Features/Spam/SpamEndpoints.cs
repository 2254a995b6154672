using AdminConsole.Core.Spam;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;

namespace AdminConsole.Web.Features.Spam;

/// <summary>
/// /api/v1/domains/{domain}/spam: a domain's spam settings and rules (GET), its thresholds (PUT),
/// and one rule's override (PUT …/rules/{rule} with enabled and score; DELETE goes back to the
/// rule's own). Bad values are 400 problems naming the field; an unknown rule or domain is 404.
/// </summary>
internal static class SpamEndpoints
{
    public sealed record RuleRequest(bool? Enabled, double? Score);

    public static void MapSpamApi(this RouteGroupBuilder api)
    {
        var spam = api.MapGroup("/domains/{domain}/spam").AddEndpointFilter<ApiProblems>().WithTags("Spam");

        spam.MapGet("/", async (string domain, SpamSettingsService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(domain, ct)));

        spam.MapPut("/", async (string domain, SpamThresholds request, SpamSettingsService service, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await service.SetThresholdsAsync(domain, request, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct)))
            .RequireAuthorization(ConsolePolicies.AdminWrite);

        spam.MapPut("/rules/{rule}", async (string domain, string rule, RuleRequest request, SpamSettingsService service, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await service.SetRuleAsync(domain, rule, request.Enabled ?? true, request.Score, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct)))
            .RequireAuthorization(ConsolePolicies.AdminWrite);

        spam.MapDelete("/rules/{rule}", async (string domain, string rule, SpamSettingsService service, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await service.ResetRuleAsync(domain, rule, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct)))
            .RequireAuthorization(ConsolePolicies.AdminWrite);
    }
}
