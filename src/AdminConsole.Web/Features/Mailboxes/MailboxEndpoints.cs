using AdminConsole.Core;
using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using AdminConsole.Core.Mailboxes;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Mailboxes;

/// <summary>/api/v1/mailboxes: paged, searchable, sortable list; read; create; change; set password; delete.</summary>
internal static class MailboxEndpoints
{
    public sealed record MailboxResource(string Address, string Domain, string DisplayName, long QuotaBytes, long UsedBytes, bool Enabled,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public string Version => EntityVersion.Of(UpdatedAt);
    }

    /// <summary>The create answer carries a generated password once; it is never readable again.</summary>
    public sealed record CreatedMailbox(MailboxResource Mailbox, string? Password);

    public sealed record MailboxRequest(string? Address, string? DisplayName, long? QuotaBytes, bool? Enabled, string? Password);

    public sealed record PasswordRequest(string? Password);

    public sealed record PasswordSet(string? Password);

    public static void MapMailboxApi(this RouteGroupBuilder api)
    {
        var mailboxes = api.MapGroup("/mailboxes").AddEndpointFilter<ApiProblems>().WithTags("Mailboxes");

        mailboxes.MapGet("/", async (string? q, string? domain, string? sort, int? offset, int? limit, MailboxDirectory directory, EngineNodes engines, CancellationToken ct) =>
        {
            var page = Paging.Read(offset, limit);
            var result = await directory.SearchAsync(new MailboxDirectory.Query(q, domain, sort, page.Offset, page.Limit), ct);
            var usage = await engines.UsageAsync([.. result.Items.Select(m => m.Address)], ct);
            var items = result.Items.Select(m => new MailboxResource(m.Address, m.Domain, m.DisplayName, m.QuotaBytes, usage[m.Address], m.Enabled, m.CreatedAt, m.UpdatedAt)).ToList();
            return TypedResults.Ok(new DomainEndpoints.Page<MailboxResource>(items, result.Total, page.Offset, page.Limit));
        });

        mailboxes.MapGet("/{address}", async (string address, AdminDbContext db, EngineNodes engines, HttpContext http, CancellationToken ct) =>
        {
            var mailbox = await FindAsync(db, address, ct);
            if (mailbox is null) throw new DomainNotFoundException($"No mailbox {address}.");
            http.Response.Headers.ETag = $"\"{EntityVersion.Of(mailbox.UpdatedAt)}\"";
            return TypedResults.Ok(await ToResourceAsync(mailbox, engines, ct));
        });

        mailboxes.MapPost("/", async (MailboxRequest request, MailboxService service, AdminDbContext db, EngineNodes engines, HttpContext http, CancellationToken ct) =>
        {
            var created = await service.CreateAsync(request.Address, Changes(request), request.Password, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            var mailbox = (await FindAsync(db, created.Mailbox.Address, ct))!;
            http.Response.Headers.ETag = $"\"{EntityVersion.Of(mailbox.UpdatedAt)}\"";
            http.Response.Headers.CacheControl = "no-store"; // it may hold a generated password
            return TypedResults.Created($"/api/v1/mailboxes/{mailbox.Address}", new CreatedMailbox(await ToResourceAsync(mailbox, engines, ct), created.GeneratedPassword));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        mailboxes.MapPatch("/{address}", async (string address, MailboxRequest request, MailboxService service, AdminDbContext db, EngineNodes engines, HttpContext http, CancellationToken ct) =>
        {
            var refused = new Dictionary<string, string[]>();
            if (request.Address is not null) refused["address"] = ["An address cannot be changed; create a new mailbox."];
            if (request.Password is not null) refused["password"] = ["Set a password with POST /api/v1/mailboxes/{address}/password."];
            if (refused.Count > 0) throw new DomainValidationException(refused);
            var updated = await service.UpdateAsync(address, Changes(request), DomainEndpoints.IfMatch(http), DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            var mailbox = (await FindAsync(db, updated.Address, ct))!;
            http.Response.Headers.ETag = $"\"{EntityVersion.Of(mailbox.UpdatedAt)}\"";
            return TypedResults.Ok(await ToResourceAsync(mailbox, engines, ct));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        mailboxes.MapPost("/{address}/password", async (string address, PasswordRequest? request, MailboxService service, HttpContext http, CancellationToken ct) =>
        {
            var generated = await service.SetPasswordAsync(address, request?.Password, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new PasswordSet(generated));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        mailboxes.MapDelete("/{address}", async (string address, MailboxService service, HttpContext http, CancellationToken ct) =>
        {
            await service.DeleteAsync(address, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);
    }

    private static Task<Core.Mailboxes.Mailbox?> FindAsync(AdminDbContext db, string address, CancellationToken ct) =>
        db.Mailboxes.AsNoTracking().Include(m => m.Domain).WithAddress(address).SingleOrDefaultAsync(ct);

    private static async Task<MailboxResource> ToResourceAsync(Core.Mailboxes.Mailbox m, EngineNodes engines, CancellationToken ct) =>
        new(m.Address, m.Domain!.Name, m.DisplayName, m.QuotaBytes, (await engines.UsageAsync([m.Address], ct))[m.Address], m.Enabled, m.CreatedAt, m.UpdatedAt);

    private static MailboxChanges Changes(MailboxRequest r) => new(r.DisplayName, r.QuotaBytes, r.Enabled);
}
