using AdminConsole.Core;
using AdminConsole.Core.Vacation;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;

namespace AdminConsole.Web.Features.Vacation;

/// <summary>/api/v1/mailboxes/{address}/vacation: read, replace (with If-Match), remove a mailbox's vacation reply.</summary>
internal static class VacationEndpoints
{
    public sealed record VacationRequest(bool? Enabled, string? Subject, string? Body, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt,
        int? ReplyIntervalDays, IReadOnlyList<string>? ExtraAddresses);

    public static void MapVacationApi(this RouteGroupBuilder api)
    {
        var vacation = api.MapGroup("/mailboxes/{address}/vacation").AddEndpointFilter<ApiProblems>().WithTags("Vacation");

        vacation.MapGet("/", async (string address, VacationService service, HttpContext http, CancellationToken ct) =>
        {
            var view = await service.GetAsync(address, ct);
            if (view.Version is { } version) http.Response.Headers.ETag = $"\"{version}\"";
            return TypedResults.Ok(view);
        });

        vacation.MapPut("/", async (string address, VacationRequest request, VacationService service, HttpContext http, CancellationToken ct) =>
        {
            if (request.Enabled is null)
                throw new DomainValidationException("enabled", "Say whether the reply is on (true) or off (false).");
            var view = await service.SetAsync(address,
                new VacationSettings(request.Enabled.Value, request.Subject, request.Body, request.StartsAt, request.EndsAt, request.ReplyIntervalDays, request.ExtraAddresses),
                DomainEndpoints.IfMatch(http), DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            http.Response.Headers.ETag = $"\"{view.Version}\"";
            return TypedResults.Ok(view);
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        vacation.MapDelete("/", async (string address, VacationService service, HttpContext http, CancellationToken ct) =>
        {
            await service.RemoveAsync(address, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);
    }
}
