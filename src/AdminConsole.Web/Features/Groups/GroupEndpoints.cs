using Microsoft.AspNetCore.Http.HttpResults;
using AdminConsole.Core;
using AdminConsole.Core.Data;
using AdminConsole.Core.Groups;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Groups;

/// <summary>/api/v1/groups: groups with their members and the expansion to full addresses the engine receives.</summary>
internal static class GroupEndpoints
{
    public sealed record Member(string Kind, string Address);

    /// <param name="Warnings">What to look at twice among the members, such as an external address under a top-level domain that does not exist.</param>
    public sealed record GroupResource(string Address, string Domain, string? Description, IReadOnlyList<Member> Members, IReadOnlyList<string> Expansion, IReadOnlyList<string> Warnings, DateTimeOffset UpdatedAt)
    {
        /// <summary>What If-Match takes (also the ETag of a single group).</summary>
        public string Version => EntityVersion.Of(UpdatedAt);
    }

    public sealed record GroupRequest(string? Address, string? Description, List<string>? Members);

    public sealed record MembersRequest(List<string>? Members);

    /// <summary>A change to a group: a field left out (or null) stays as it is; "" clears the description.</summary>
    public sealed record GroupPatch(string? Description, List<string>? Members);

    public static void MapGroupApi(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/groups").AddEndpointFilter<ApiProblems>().WithTags("Groups");

        // ?member=: the groups whose mail reaches that address, directly or through a nested group.
        groups.MapGet("/", async (string? domain, string? member, int? offset, int? limit, AdminDbContext db, GroupService service, CancellationToken ct) =>
        {
            var page = Paging.Read(offset, limit);
            var query = db.Groups.AsNoTracking();
            if (!string.IsNullOrWhiteSpace(member))
            {
                if (!EmailAddress.TryParse(member, out _, out var error)) throw new DomainValidationException("member", error);
                var through = (await service.GroupsDeliveringToAsync(member, ct)).Select(m => m.Group).ToList();
                query = query.Where(g => through.Contains(g.Address));
            }

            if (!string.IsNullOrWhiteSpace(domain))
            {
                if (!EmailAddress.TryNormalizeDomain(domain, out var d, out var error)) throw new DomainValidationException("domain", error);
                query = query.Where(g => g.Domain!.Name == d);
            }

            var total = await query.CountAsync(ct);
            var ids = await query.OrderBy(g => g.Address).Skip(page.Offset).Take(page.Limit).Select(g => g.Id).ToListAsync(ct);
            return TypedResults.Ok(new DomainEndpoints.Page<GroupResource>(await LoadAsync(db, service, ids, ct), total, page.Offset, page.Limit));
        });

        groups.MapGet("/{address}", async (string address, AdminDbContext db, GroupService service, HttpContext http, CancellationToken ct) =>
        {
            if (await FindIdAsync(db, address, ct) is not { } id)
                throw new DomainNotFoundException($"No group {address}.");
            return Tagged(http, await LoadOneAsync(db, service, id, ct));
        });

        groups.MapPost("/", async (GroupRequest request, GroupService service, AdminDbContext db, HttpContext http, CancellationToken ct) =>
        {
            var group = await service.CreateAsync(request.Address, request.Description, request.Members ?? [], DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            var resource = await LoadOneAsync(db, service, group.Id, ct);
            http.Response.Headers.ETag = $"\"{resource.Version}\"";
            return TypedResults.Created($"/api/v1/groups/{group.Address}", resource);
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        // The group as a whole: description and members change together; the address stays.
        groups.MapPatch("/{address}", async (string address, GroupPatch request, GroupService service, AdminDbContext db, HttpContext http, CancellationToken ct) =>
        {
            var group = await service.UpdateAsync(address, new GroupChanges(request.Description, request.Members), DomainEndpoints.IfMatch(http),
                DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return Tagged(http, await LoadOneAsync(db, service, group.Id, ct));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        groups.MapPut("/{address}/members", async (string address, MembersRequest request, GroupService service, AdminDbContext db, HttpContext http, CancellationToken ct) =>
        {
            var group = await service.UpdateAsync(address, new GroupChanges(null, request.Members ?? []), DomainEndpoints.IfMatch(http),
                DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return Tagged(http, await LoadOneAsync(db, service, group.Id, ct));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        // The editor's preview, for automation too: what the group would deliver to, nothing written.
        groups.MapPost("/preview", async (GroupRequest request, GroupService service, CancellationToken ct) =>
            TypedResults.Ok(await service.PreviewAsync(request.Address, request.Members ?? [], ct)));

        groups.MapDelete("/{address}", async (string address, GroupService service, HttpContext http, CancellationToken ct) =>
        {
            await service.DeleteAsync(address, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);
    }

    private static Ok<GroupResource> Tagged(HttpContext http, GroupResource resource)
    {
        http.Response.Headers.ETag = $"\"{resource.Version}\"";
        return TypedResults.Ok(resource);
    }

    private static async Task<Guid?> FindIdAsync(AdminDbContext db, string address, CancellationToken ct) =>
        EmailAddress.TryParse(address, out var parsed, out _)
            ? await db.Groups.Where(g => g.Address == parsed.ToString()).Select(g => (Guid?)g.Id).SingleOrDefaultAsync(ct)
            : null;

    private static async Task<GroupResource> LoadOneAsync(AdminDbContext db, GroupService service, Guid id, CancellationToken ct) =>
        (await LoadAsync(db, service, [id], ct)).Single();

    /// <summary>The groups as resources, in the order of <paramref name="ids"/>, with one expansion for all of them.</summary>
    private static async Task<List<GroupResource>> LoadAsync(AdminDbContext db, GroupService service, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        var groups = await db.Groups.AsNoTracking().Include(g => g.Domain).Include(g => g.Members).ThenInclude(m => m.Mailbox)
            .Include(g => g.Members).ThenInclude(m => m.NestedGroup).Where(g => ids.Contains(g.Id)).ToDictionaryAsync(g => g.Id, ct);
        var expansions = await service.ExpandAsync(ids, ct);
        return ids.Select(id => groups[id]).Select(group => new GroupResource(group.Address, group.Domain!.Name, group.Description,
                group.Members.Select(m => new Member(m.Kind switch { GroupMemberKind.Mailbox => "mailbox", GroupMemberKind.Group => "group", _ => "external" }, m.ListedAddress))
                    .OrderBy(m => m.Address, StringComparer.Ordinal).ToList(),
                expansions[group.Id],
                GroupService.WarningsFor(group.Members.Where(m => m.Kind == GroupMemberKind.External).Select(m => m.ExternalAddress!).Order(StringComparer.Ordinal)),
                group.UpdatedAt))
            .ToList();
    }
}
