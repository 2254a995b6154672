using AdminConsole.Core;
using AdminConsole.Core.Data;
using AdminConsole.Core.Dkim;
using AdminConsole.Core.Domains;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Dkim;

/// <summary>
/// /api/v1/domains/{name}/dkim: a domain's DKIM keys with the TXT record each needs published. Private
/// keys never leave the console this way: they travel only in the encrypted snapshot.
/// </summary>
internal static class DkimEndpoints
{
    public sealed record DkimKeyResource(string Selector, string Algorithm, string State, string RecordName, string RecordValue, DateTimeOffset CreatedAt,
        DateTimeOffset? ActivatedAt, DateTimeOffset? RetiringSince, DateTimeOffset? RetiredAt);

    /// <param name="Step">idle, publishing, grace or removing.</param>
    /// <param name="Next">What happens next, and when, in words.</param>
    public sealed record RotationResource(string Step, string Next, DateTimeOffset? Due, int? EveryMonths, bool Publishes);

    public sealed record DkimKeys(string Domain, IReadOnlyList<DkimKeyResource> Keys, RotationResource Rotation);

    /// <param name="Done">What this request changed, in words; empty when nothing could move yet.</param>
    public sealed record RotationResult(DkimKeys Dkim, IReadOnlyList<string> Done);

    /// <param name="EveryMonths">1 to 24, or null for rotations only by hand.</param>
    public sealed record ScheduleRequest(int? EveryMonths);

    public static void MapDkimApi(this RouteGroupBuilder api)
    {
        var dkim = api.MapGroup("/domains/{name}/dkim").AddEndpointFilter<ApiProblems>().WithTags("DKIM");

        dkim.MapGet("/", async (string name, AdminDbContext db, DkimKeyService keys, DkimRotation rotation, CancellationToken ct) =>
            await db.FindDomainAsync(name, ct) is { } domain
                ? TypedResults.Ok(await ResourceAsync(keys, await rotation.StatusAsync(domain.Name, ct), ct))
                : throw NotFound(name));

        // Domains made before DKIM existed get their keys here (new domains get them when made).
        dkim.MapPost("/", async (string name, AdminDbContext db, DkimKeyService keys, DkimRotation rotation, HttpContext http, CancellationToken ct) =>
        {
            if (await db.FindDomainAsync(name, ct) is not { } domain) throw NotFound(name);
            await keys.EnsureSigningKeysAsync(domain, DomainEndpoints.Actor(http.User), ct, DomainEndpoints.Remote(http));
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(await ResourceAsync(keys, await rotation.StatusAsync(domain.Name, ct), ct));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        // Rotation (issue #15 item 8): start makes the next keys; advance takes every step that is due.
        dkim.MapPost("/rotation", async (string name, DkimKeyService keys, DkimRotation rotation, HttpContext http, CancellationToken ct) =>
        {
            var result = await rotation.StartAsync(name, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.Ok(new RotationResult(await ResourceAsync(keys, result.Status, ct), result.Done));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        dkim.MapPost("/rotation/advance", async (string name, DkimKeyService keys, DkimRotation rotation, HttpContext http, CancellationToken ct) =>
        {
            var result = await rotation.AdvanceAsync(name, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.Ok(new RotationResult(await ResourceAsync(keys, result.Status, ct), result.Done));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        dkim.MapPut("/rotation/schedule", async (string name, ScheduleRequest request, DkimKeyService keys, DkimRotation rotation, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await ResourceAsync(keys, await rotation.ScheduleAsync(name, request.EveryMonths, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct), ct)))
            .RequireAuthorization(ConsolePolicies.AdminWrite);
    }


    private static async Task<DkimKeys> ResourceAsync(DkimKeyService keys, DkimRotationStatus rotation, CancellationToken ct) =>
        new(rotation.Domain, (await keys.ListAsync(rotation.Domain, ct)).Select(k => new DkimKeyResource(k.Selector,
                k.Algorithm == DkimAlgorithm.Ed25519 ? "ed25519-sha256" : "rsa-sha256", k.State.ToString().ToLowerInvariant(), k.RecordName, k.RecordValue, k.CreatedAt,
                k.ActivatedAt, k.RetiringSince, k.RetiredAt)).ToList(),
            new RotationResource(rotation.Step.ToString().ToLowerInvariant(), rotation.Next, rotation.Due, rotation.EveryMonths, rotation.Publishes));

    private static DomainNotFoundException NotFound(string name) => new($"No domain {name}.");
}
