using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Audit;

/// <summary>One audit record as the Audit page and GET /api/v1/audit show it.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Target, string? Details, string? RemoteAddress);

/// <summary>The audit log filtered by actor, object and time, newest first: the page and the API share it.</summary>
public sealed class AuditQuery(AdminDbContext db)
{
    /// <param name="Actor">Exact ("admin:a@b") or a prefix ending in ":" or "*" ("token:", "mailbox:*").</param>
    public sealed record Filter(string? Actor = null, string? Target = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Offset = 0, int Limit = 50);

    public async Task<(IReadOnlyList<AuditEntry> Items, int Total)> SearchAsync(Filter filter, CancellationToken ct = default)
    {
        if (filter.From is not null && filter.To is not null && filter.From > filter.To) throw new DomainValidationException("from", "from must not be after to.");
        var query = db.AuditEvents.AsNoTracking();
        if (Prefix(filter.Actor) is { } actorPrefix) query = query.Where(e => e.Actor.StartsWith(actorPrefix));
        else if (!string.IsNullOrWhiteSpace(filter.Actor)) query = query.Where(e => e.Actor == filter.Actor.Trim());
        if (Prefix(filter.Target) is { } targetPrefix) query = query.Where(e => e.Target != null && e.Target.StartsWith(targetPrefix));
        else if (!string.IsNullOrWhiteSpace(filter.Target)) query = query.Where(e => e.Target == filter.Target.Trim());
        if (filter.From is not null) query = query.Where(e => e.At >= filter.From);
        if (filter.To is not null) query = query.Where(e => e.At <= filter.To);
        var total = await query.CountAsync(ct);
        var items = await query.OrderByDescending(e => e.Id).Skip(filter.Offset).Take(filter.Limit)
            .Select(e => new AuditEntry(e.Id, e.At, e.Actor, e.Action, e.Target, e.Details, e.RemoteAddress)).ToListAsync(ct);
        return (items, total);
    }

    private static string? Prefix(string? value)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v)) return null;
        if (v.EndsWith('*')) return v[..^1];
        return v.EndsWith(':') ? v : null;
    }
}
