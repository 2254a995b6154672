using System.Security.Claims;
using AdminConsole.Core;
using AdminConsole.Core.Data;
using AdminConsole.Core.Domains;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using MailEngine.Addressing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Domains;

/// <summary>/api/v1/domains: list, read, create, change (with If-Match), delete (cascade only when asked).</summary>
internal static class DomainEndpoints
{
    public sealed record DomainResource(string Name, string? Description, long DefaultQuotaBytes, long MaxMessageBytes, string? CatchAllAddress,
        int Mailboxes, int Groups, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, [property: System.Text.Json.Serialization.JsonIgnore] Core.Dns.MtaStsMode Sts,
        [property: System.Text.Json.Serialization.JsonIgnore] Core.Dns.DmarcPolicy Dmarc,
        [property: System.Text.Json.Serialization.JsonIgnore] MailEngine.Contracts.DmarcEnforcement Inbound,
        IReadOnlyList<string> TrustedArcSealers)
    {
        public string Version => EntityVersion.Of(UpdatedAt);

        /// <summary>testing, enforce or none: what the MTA-STS policy served for the domain says.</summary>
        public string MtaStsMode => Sts.ToString().ToLowerInvariant();

        /// <summary>none, quarantine or reject: what the domain's DMARC record asks of receivers.</summary>
        public string DmarcPolicy => Dmarc.ToString().ToLowerInvariant();

        /// <summary>enforce, quarantine or monitor: what mail arriving here that fails its sender's DMARC policy gets.</summary>
        public string InboundDmarc => Inbound.ToString().ToLowerInvariant();
    }

    /// <param name="TrustedArcSealers">Forwarders whose ARC seal is believed (RFC 8617 §7.2); [] trusts none, absent leaves them.</param>
    public sealed record DomainRequest(string? Name, string? Description, long? DefaultQuotaBytes, long? MaxMessageBytes, string? CatchAllAddress, string? MtaStsMode, string? DmarcPolicy = null, string? InboundDmarc = null,
        IReadOnlyList<string>? TrustedArcSealers = null);

    public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit);

    public static void MapDomainApi(this RouteGroupBuilder api)
    {
        var domains = api.MapGroup("/domains").AddEndpointFilter<ApiProblems>().WithTags("Domains");

        domains.MapGet("/", async (int? offset, int? limit, AdminDbContext db, CancellationToken ct) =>
        {
            var page = Paging.Read(offset, limit);
            var total = await db.Domains.CountAsync(ct);
            var items = await Project(db.Domains.OrderBy(d => d.Name).Skip(page.Offset).Take(page.Limit)).ToListAsync(ct);
            return TypedResults.Ok(new Page<DomainResource>(items, total, page.Offset, page.Limit));
        });

        domains.MapGet("/{name}", async (string name, AdminDbContext db, HttpContext http, CancellationToken ct) =>
        {
            var resource = EmailAddress.TryNormalizeDomain(name, out var normalized, out _)
                ? await Project(db.Domains.Where(d => d.Name == normalized)).SingleOrDefaultAsync(ct)
                : null;
            if (resource is null) throw NotFound(name);
            http.Response.Headers.ETag = $"\"{resource.Version}\"";
            return TypedResults.Ok(resource);
        });

        domains.MapPost("/", async (DomainRequest request, DomainService service, AdminDbContext db, HttpContext http, CancellationToken ct) =>
        {
            var created = await service.CreateAsync(request.Name, Changes(request), Actor(http.User), Remote(http), ct);
            var resource = await Project(db.Domains.Where(d => d.Id == created.Id)).SingleAsync(ct);
            http.Response.Headers.ETag = $"\"{resource.Version}\"";
            return TypedResults.Created($"/api/v1/domains/{resource.Name}", resource);
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        domains.MapPatch("/{name}", async (string name, DomainRequest request, DomainService service, AdminDbContext db, HttpContext http, CancellationToken ct) =>
        {
            if (request.Name is not null) throw new DomainValidationException("name", "A domain cannot be renamed; create the new one and move its mailboxes.");
            var updated = await service.UpdateAsync(name, Changes(request), IfMatch(http), Actor(http.User), Remote(http), ct);
            var resource = await Project(db.Domains.Where(d => d.Id == updated.Id)).SingleAsync(ct);
            http.Response.Headers.ETag = $"\"{resource.Version}\"";
            return TypedResults.Ok(resource);
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        domains.MapDelete("/{name}", async (string name, [FromQuery] bool? cascade, DomainService service, HttpContext http, CancellationToken ct) =>
        {
            await service.DeleteAsync(name, cascade ?? false, Actor(http.User), Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);
    }

    private static IQueryable<DomainResource> Project(IQueryable<MailDomain> query) =>
        query.Select(d => new DomainResource(d.Name, d.Description, d.DefaultQuotaBytes, d.MaxMessageBytes, d.CatchAllAddress,
            d.Mailboxes.Count, d.Groups.Count, d.CreatedAt, d.UpdatedAt, d.MtaStsMode, d.DmarcPolicy, d.InboundDmarc, d.TrustedArcSealers));

    private static DomainChanges Changes(DomainRequest r) => new(r.Description, r.DefaultQuotaBytes, r.MaxMessageBytes, r.CatchAllAddress, r.MtaStsMode, r.DmarcPolicy, r.InboundDmarc, r.TrustedArcSealers);

    private static DomainNotFoundException NotFound(string name) => new($"No domain {name}.");

    /// <summary>The version from If-Match ("W/" and quotes removed); null when the client sent none.</summary>
    internal static string? IfMatch(HttpContext http)
    {
        var header = http.Request.Headers.IfMatch.ToString();
        if (header.Length == 0 || header == "*") return null;
        return header.Replace("W/", "", StringComparison.Ordinal).Trim().Trim('"');
    }

    /// <summary>How the audit log names a caller: "token:name", "mailbox:address", "admin:address".</summary>
    internal static string Actor(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Name) switch
    {
        null => "anonymous",
        var name when name.StartsWith("token:", StringComparison.Ordinal) => name,
        var name when user.IsInRole(ConsolePolicies.MailboxUserRole) => $"mailbox:{name}",
        var name => $"admin:{name}",
    };

    internal static string? Remote(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();
}
