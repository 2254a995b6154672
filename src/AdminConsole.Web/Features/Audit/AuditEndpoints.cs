using AdminConsole.Core.Audit;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Domains;

namespace AdminConsole.Web.Features.Audit;

/// <summary>GET /api/v1/audit: the audit log, newest first, filtered by actor, object and time.</summary>
internal static class AuditEndpoints
{
    public static void MapAuditApi(this RouteGroupBuilder api) =>
        api.MapGet("/audit", async Task<IResult> (string? actor, string? target, DateTimeOffset? from, DateTimeOffset? to, int? offset, int? limit, AuditQuery audit, CancellationToken ct) =>
        {
            if (Paging.Read(offset, limit, out var problem) is not { } page) return problem!;
            var (items, total) = await audit.SearchAsync(new AuditQuery.Filter(actor, target, from, to, page.Offset, page.Limit), ct);
            return TypedResults.Ok(new DomainEndpoints.Page<AuditEntry>(items, total, page.Offset, page.Limit));
        }).AddEndpointFilter<ApiProblems>().WithTags("Audit");
}
