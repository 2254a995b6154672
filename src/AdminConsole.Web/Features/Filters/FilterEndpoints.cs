using AdminConsole.Core;
using AdminConsole.Core.Filters;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;

namespace AdminConsole.Web.Features.Filters;

/// <summary>
/// /api/v1/mailboxes/{address}/sieve: read, replace (If-Match; a script that does not compile is a
/// 400 with each error's line:column under "script"), remove a mailbox's own Sieve filter, and
/// POST …/sieve/test to see what a script does to a message without saving anything.
/// </summary>
internal static class FilterEndpoints
{
    public sealed record FilterRequest(string? Script);

    /// <param name="From">The envelope sender; "&lt;&gt;" for the null sender.</param>
    /// <param name="SpamScore">The scanner's score in points (spamtest); absent: not tested.</param>
    public sealed record FilterTestRequest(string? Script, string? Message, string? From, string? To, double? SpamScore = null);

    public static void MapFilterApi(this RouteGroupBuilder api)
    {
        var sieve = api.MapGroup("/mailboxes/{address}/sieve").AddEndpointFilter<ApiProblems>().WithTags("Filters");

        sieve.MapGet("/", async (string address, SieveFilterService service, HttpContext http, CancellationToken ct) =>
        {
            var view = await service.GetAsync(address, ct);
            if (view.Version is { } version) http.Response.Headers.ETag = $"\"{version}\"";
            return TypedResults.Ok(view);
        });

        sieve.MapPut("/", async (string address, FilterRequest request, SieveFilterService service, HttpContext http, CancellationToken ct) =>
        {
            var view = await service.SetAsync(address, request.Script, DomainEndpoints.IfMatch(http), DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            http.Response.Headers.ETag = $"\"{view.Version}\"";
            return TypedResults.Ok(view);
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        sieve.MapDelete("/", async (string address, SieveFilterService service, HttpContext http, CancellationToken ct) =>
        {
            await service.RemoveAsync(address, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        sieve.MapPost("/test", async (string address, FilterTestRequest request, SieveFilterService service, TimeProvider clock, CancellationToken ct) =>
        {
            var errors = new Dictionary<string, string[]>();
            if (string.IsNullOrEmpty(request.Message)) errors["message"] = ["Paste the message to test with (headers, a blank line, the body)."];
            if (request.SpamScore is { } score && (double.IsNaN(score) || score is < -100 or > 1000)) errors["spamScore"] = ["A spam score is between -100 and 1000 points."];
            if (errors.Count > 0) throw new DomainValidationException(errors);
            var view = await service.GetAsync(address, ct); // the mailbox must exist; its saved script is the default
            return TypedResults.Ok(SieveFilterService.Test(view.Address, request.Script ?? view.Script, request.Message!, request.From, request.To, clock.GetUtcNow(), request.SpamScore));
        }).RequireAuthorization(ConsolePolicies.AdminWrite); // it runs a script (within the run budget): work, not reading
    }
}
