using AdminConsole.Core.Data;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Mailboxes;

/// <summary>One row of the mailbox list: what the grid and GET /api/v1/mailboxes show (usage comes from the engine).</summary>
public sealed record MailboxRow(string Address, string Domain, string DisplayName, long QuotaBytes, bool Enabled, bool VacationOn,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// The mailbox list as the console grid and the API page through it: search (a substring of the address
/// or display name, served by trigram indexes so it stays fast with 100,000 mailboxes), a domain filter,
/// a sort on an indexed column with the address as tie-breaker, and offset paging.
/// </summary>
public sealed class MailboxDirectory(AdminDbContext db)
{
    public static readonly IReadOnlyList<string> Sorts = ["address", "-address", "createdAt", "-createdAt", "quotaBytes", "-quotaBytes", "displayName", "-displayName"];

    public sealed record Query(string? Search = null, string? Domain = null, string? Sort = null, int Offset = 0, int Limit = 50);

    public sealed record Result(IReadOnlyList<MailboxRow> Items, int Total);

    public async Task<Result> SearchAsync(Query query, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var sort = query.Sort is null ? "address" : Sorts.FirstOrDefault(s => string.Equals(s, query.Sort, StringComparison.OrdinalIgnoreCase));
        if (sort is null) errors.Add("sort", $"sort is one of {string.Join(", ", Sorts)}.");
        string? domain = null;
        if (!string.IsNullOrWhiteSpace(query.Domain))
        {
            if (EmailAddress.TryNormalizeDomain(query.Domain, out var d, out var error)) domain = d;
            else errors.Add("domain", error);
        }

        errors.ThrowIfAny();

        var rows = db.Mailboxes.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // LIKE/ILIKE with a pattern, not Contains (strpos), so PostgreSQL can use the gin_trgm_ops
            // indexes on address and display_name. Addresses are stored lower-case.
            var term = query.Search.Trim();
            var pattern = LikePattern.Containing(term.ToLowerInvariant());
            rows = rows.Where(m => EF.Functions.Like(m.Address, pattern, LikePattern.Escape) || EF.Functions.ILike(m.DisplayName, pattern, LikePattern.Escape));
        }

        if (domain is not null) rows = rows.Where(m => m.Domain!.Name == domain);

        rows = sort switch
        {
            "-address" => rows.OrderByDescending(m => m.Address),
            "createdAt" => rows.OrderBy(m => m.CreatedAt).ThenBy(m => m.Address),
            "-createdAt" => rows.OrderByDescending(m => m.CreatedAt).ThenBy(m => m.Address),
            "quotaBytes" => rows.OrderBy(m => m.QuotaBytes).ThenBy(m => m.Address),
            "-quotaBytes" => rows.OrderByDescending(m => m.QuotaBytes).ThenBy(m => m.Address),
            "displayName" => rows.OrderBy(m => m.DisplayName).ThenBy(m => m.Address),
            "-displayName" => rows.OrderByDescending(m => m.DisplayName).ThenBy(m => m.Address),
            _ => rows.OrderBy(m => m.Address),
        };
        var total = await rows.CountAsync(ct);
        var items = await rows.Skip(query.Offset).Take(query.Limit)
            .Select(m => new MailboxRow(m.Address, m.Domain!.Name, m.DisplayName, m.QuotaBytes, m.Enabled, m.Vacation != null && m.Vacation.Enabled, m.CreatedAt, m.UpdatedAt))
            .ToListAsync(ct);
        return new Result(items, total);
    }
}
