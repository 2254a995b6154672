using AdminConsole.Core.Audit;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Domains;

namespace AdminConsole.Web.Features.Audit;

/// <summary>
/// GET /api/v1/audit: the audit log, newest first, filtered by actor, object, action and time; and
/// GET /api/v1/audit/export: the same records as a CSV file (the Audit page's "Export CSV").
/// </summary>
internal static class AuditEndpoints
{
    public static void MapAuditApi(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").AddEndpointFilter<ApiProblems>().WithTags("Audit");

        audit.MapGet("/", async (string? actor, string? target, string? action, DateTimeOffset? from, DateTimeOffset? to, int? offset, int? limit, AuditQuery query, CancellationToken ct) =>
        {
            var page = Paging.Read(offset, limit);
            var (items, total) = await query.SearchAsync(new AuditQuery.Filter(actor, target, from, to, page.Offset, page.Limit, action), ct);
            return TypedResults.Ok(new DomainEndpoints.Page<AuditEntry>(items, total, page.Offset, page.Limit));
        });

        audit.MapGet("/export", async (string? actor, string? target, string? action, DateTimeOffset? from, DateTimeOffset? to, AuditQuery query, TimeProvider clock, CancellationToken ct) =>
        {
            // Counted (and refused when too wide) before the first byte is sent, so an error is still problem details.
            var entries = await query.ExportAsync(new AuditQuery.Filter(actor, target, from, to, Action: action), ct);
            var name = $"audit-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv";
            return TypedResults.Stream(body => AuditCsv.WriteAsync(entries, body, ct), "text/csv; charset=utf-8", name);
        }).Produces<string>(StatusCodes.Status200OK, "text/csv");
    }
}
