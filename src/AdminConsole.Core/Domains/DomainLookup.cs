using AdminConsole.Core.Data;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Domains;

/// <summary>
/// Finding one of our domains by the name a caller typed (U-label or A-label, any case, with or
/// without the final dot): the one rule every service and endpoint uses.
/// </summary>
public static class DomainLookup
{
    /// <summary>The domain, tracked; null when the name is not one of ours (or not a domain name).</summary>
    /// <summary>Every domain's name, sorted: what the pages offer to choose from.</summary>
    public static Task<List<string>> DomainNamesAsync(this AdminDbContext db, CancellationToken ct = default) =>
        db.Domains.OrderBy(d => d.Name).Select(d => d.Name).ToListAsync(ct);

    public static async Task<MailDomain?> FindDomainAsync(this AdminDbContext db, string name, CancellationToken ct = default) =>
        EmailAddress.TryNormalizeDomain(name.TrimEnd('.'), out var normalized, out _) ? await db.Domains.SingleOrDefaultAsync(d => d.Name == normalized, ct) : null;

    /// <summary>The domain, tracked; <see cref="DomainNotFoundException"/> (404) when it is not one of ours.</summary>
    public static async Task<MailDomain> DomainAsync(this AdminDbContext db, string name, CancellationToken ct = default) =>
        await db.FindDomainAsync(name, ct) ?? throw new DomainNotFoundException($"No domain {name}.");
}
