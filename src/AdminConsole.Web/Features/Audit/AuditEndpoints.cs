using AdminConsole.Core.Data;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Domains;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Audit;

/// <summary>GET /api/v1/audit: the audit log, newest first, filtered by actor, object and time.</summary>
internal static class AuditEndpoints
{
    public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Target, string? Details, string? RemoteAddress);

    public static void MapAuditApi(this RouteGroupBuilder api) =>
        api.MapGet("/audit", async Task<IResult> (string? actor, string? target, DateTimeOffset? from, DateTimeOffset? to, int? offset, int? limit, AdminDbContext db, CancellationToken ct) =>
        {
            if (Paging.Read(offset, limit, out var problem) is not { } page) return problem!;
            if (from is not null && to is not null && from > to)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from must not be after to."] });
            var query = db.AuditEvents.AsNoTracking();
            if (!string.IsNullOrWhiteSpace(actor)) query = query.Where(e => e.Actor == actor.Trim());
            if (!string.IsNullOrWhiteSpace(target)) query = query.Where(e => e.Target == target.Trim());
            if (from is not null) query = query.Where(e => e.At >= from);
            if (to is not null) query = query.Where(e => e.At <= to);
            var total = await query.CountAsync(ct);
            var items = await query.OrderByDescending(e => e.Id).Skip(page.Offset).Take(page.Limit)
                .Select(e => new AuditEntry(e.Id, e.At, e.Actor, e.Action, e.Target, e.Details, e.RemoteAddress)).ToListAsync(ct);
            return TypedResults.Ok(new DomainEndpoints.Page<AuditEntry>(items, total, page.Offset, page.Limit));
        }).AddEndpointFilter<ApiProblems>().WithTags("Audit");
}
