using AdminConsole.Core.Data;
using AdminConsole.Core.Dkim;
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
    public sealed record DkimKeyResource(string Selector, string Algorithm, string State, string RecordName, string RecordValue, DateTimeOffset CreatedAt);

    public sealed record DkimKeys(string Domain, IReadOnlyList<DkimKeyResource> Keys);

    public static void MapDkimApi(this RouteGroupBuilder api)
    {
        var dkim = api.MapGroup("/domains/{name}/dkim").AddEndpointFilter<ApiProblems>().WithTags("DKIM");

        dkim.MapGet("/", async Task<IResult> (string name, AdminDbContext db, DkimKeyService keys, CancellationToken ct) =>
            await FindAsync(db, name, ct) is { } domain
                ? TypedResults.Ok(await ResourceAsync(keys, domain.Name, ct))
                : NotFound(name));

        // Domains made before DKIM existed get their keys here (new domains get them when made).
        dkim.MapPost("/", async Task<IResult> (string name, AdminDbContext db, DkimKeyService keys, HttpContext http, CancellationToken ct) =>
        {
            if (await FindAsync(db, name, ct) is not { } domain) return NotFound(name);
            await keys.EnsureSigningKeysAsync(domain, DomainEndpoints.Actor(http.User), ct, DomainEndpoints.Remote(http));
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(await ResourceAsync(keys, domain.Name, ct));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);
    }

    private static async Task<Core.Domains.MailDomain?> FindAsync(AdminDbContext db, string name, CancellationToken ct) =>
        EmailAddress.TryNormalizeDomain(name, out var normalized, out _) ? await db.Domains.SingleOrDefaultAsync(d => d.Name == normalized, ct) : null;

    private static async Task<DkimKeys> ResourceAsync(DkimKeyService keys, string domain, CancellationToken ct) =>
        new(domain, (await keys.ListAsync(domain, ct)).Select(k => new DkimKeyResource(k.Selector,
            k.Algorithm == DkimAlgorithm.Ed25519 ? "ed25519-sha256" : "rsa-sha256", k.State.ToString().ToLowerInvariant(), k.RecordName, k.RecordValue, k.CreatedAt)).ToList());

    private static IResult NotFound(string name) => TypedResults.Problem($"No domain {name}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
