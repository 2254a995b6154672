using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Audit;

/// <summary>One audit record as the Audit page and GET /api/v1/audit show it.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Target, string? Details, string? RemoteAddress);

/// <summary>The audit log filtered by actor, object, action and time, newest first: the page, the API and the CSV export share it.</summary>
public sealed class AuditQuery(AdminDbContext db)
{
    /// <summary>The most rows one CSV export holds; a wider export is refused with this number named.</summary>
    public const int MaxExportRows = 100_000;

    /// <param name="Actor">Any part of the actor, ignoring case: "alice@example.com" finds "admin:alice@example.com", "token:" every token ("token:*" too).</param>
    /// <param name="Target">Any part of the object, likewise: "example.com" finds the domain, its mailboxes and groups.</param>
    /// <param name="Action">An action ("domain.updated"), or every action of a kind ("domain." or "domain.*").</param>
    public sealed record Filter(string? Actor = null, string? Target = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Offset = 0, int Limit = 50, string? Action = null);

    public async Task<(IReadOnlyList<AuditEntry> Items, int Total)> SearchAsync(Filter filter, CancellationToken ct = default)
    {
        var query = Where(filter);
        var total = await query.CountAsync(ct);
        var items = await Select(query.OrderByDescending(e => e.Id).Skip(filter.Offset).Take(filter.Limit)).ToListAsync(ct);
        return (items, total);
    }

    /// <summary>Every matching record, newest first, for the CSV export: refused when more than <see cref="MaxExportRows"/> match.</summary>
    public async Task<IAsyncEnumerable<AuditEntry>> ExportAsync(Filter filter, CancellationToken ct = default)
    {
        var query = Where(filter);
        var total = await query.CountAsync(ct);
        if (total > MaxExportRows)
            throw new DomainValidationException("from", $"{total:N0} records match; an export holds at most {MaxExportRows:N0}. Narrow the time range or the filters.");
        return Select(query.OrderByDescending(e => e.Id)).AsAsyncEnumerable();
    }

    /// <summary>The actions recorded so far, for the page's action filter.</summary>
    public async Task<IReadOnlyList<string>> ActionsAsync(CancellationToken ct = default) =>
        await db.AuditEvents.AsNoTracking().Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync(ct);

    private IQueryable<AuditEvent> Where(Filter filter)
    {
        if (filter.From is not null && filter.To is not null && filter.From > filter.To) throw new DomainValidationException("from", "from must not be after to.");
        var query = db.AuditEvents.AsNoTracking();
        if (Term(filter.Actor) is { } actor)
        {
            var pattern = LikePattern.Containing(actor);
            query = query.Where(e => EF.Functions.ILike(e.Actor, pattern, LikePattern.Escape));
        }

        if (Term(filter.Target) is { } target)
        {
            var pattern = LikePattern.Containing(target);
            query = query.Where(e => e.Target != null && EF.Functions.ILike(e.Target, pattern, LikePattern.Escape));
        }

        if (Term(filter.Action) is { } action)
        {
            if (filter.Action!.Trim().EndsWith('*') || action.EndsWith('.'))
            {
                var pattern = LikePattern.StartingWith(action.ToLowerInvariant());
                query = query.Where(e => EF.Functions.Like(e.Action, pattern, LikePattern.Escape));
            }
            else
            {
                query = query.Where(e => e.Action == action.ToLowerInvariant());
            }
        }

        if (filter.From is not null) query = query.Where(e => e.At >= filter.From);
        if (filter.To is not null) query = query.Where(e => e.At <= filter.To);
        return query;
    }

    private static IQueryable<AuditEntry> Select(IQueryable<AuditEvent> query) =>
        query.Select(e => new AuditEntry(e.Id, e.At, e.Actor, e.Action, e.Target, e.Details, e.RemoteAddress));

    /// <summary>What was typed, without surrounding space and a trailing '*' (every filter matches a part already).</summary>
    private static string? Term(string? value)
    {
        var v = value?.Trim().TrimEnd('*').Trim();
        return string.IsNullOrEmpty(v) ? null : v;
    }
}
