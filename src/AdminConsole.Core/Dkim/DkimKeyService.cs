using System.Globalization;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using MailEngine.Dkim;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Dkim;

/// <summary>A key as the console shows it: never the private key.</summary>
public sealed record DkimKeyView(string Selector, DkimAlgorithm Algorithm, DkimKeyState State, string RecordName, string RecordValue, DateTimeOffset CreatedAt,
    DateTimeOffset? ActivatedAt = null, DateTimeOffset? RetiringSince = null, DateTimeOffset? RetiredAt = null);

/// <summary>
/// The domains' DKIM keys: made here (RSA-2048 and Ed25519, RFC 8463 §4's dual signatures), stored with
/// the private key sealed by Data Protection, unsealed only to compile the (encrypted) snapshot.
/// </summary>
public sealed class DkimKeyService(AdminDbContext db, IDataProtectionProvider protection, AuditLog audit, TimeProvider clock)
{
    private readonly IDataProtector _protector = protection.CreateProtector("AdminConsole.Dkim.PrivateKey.v1");

    /// <summary>
    /// Gives the domain a signing key of each algorithm it lacks, active at once: a domain's first keys
    /// sign from the start (a receiver that cannot find the record treats the mail as unsigned, which
    /// it was before). Returns the keys made. The caller saves.
    /// </summary>
    public async Task<IReadOnlyList<DkimKey>> EnsureSigningKeysAsync(Domains.MailDomain domain, string actor, CancellationToken ct = default, string? remoteAddress = null)
    {
        var existing = domain.Id == Guid.Empty ? [] : await db.DkimKeys.Where(k => k.DomainId == domain.Id).ToListAsync(ct);
        var made = new List<DkimKey>();
        foreach (var algorithm in Enum.GetValues<DkimAlgorithm>())
        {
            if (existing.Any(k => k.Algorithm == algorithm && k.State == DkimKeyState.Active)) continue;
            var key = NewKey(domain, algorithm, existing.Concat(made).Select(k => k.Selector));
            key.State = DkimKeyState.Active;
            key.ActivatedAt = key.CreatedAt;
            made.Add(key);
        }

        if (made.Count > 0)
        {
            db.DkimKeys.AddRange(made);
            audit.Record(actor, "dkim.keys-created", $"domain:{domain.Name}", new { selectors = made.Select(k => k.Selector) }, remoteAddress);
        }

        return made;
    }

    public async Task<IReadOnlyList<DkimKeyView>> ListAsync(string domainName, CancellationToken ct = default)
    {
        var keys = await db.DkimKeys.AsNoTracking().Where(k => k.Domain!.Name == domainName).OrderBy(k => k.CreatedAt).ThenBy(k => k.Algorithm).ToListAsync(ct);
        return keys.Select(k => View(k, domainName)).ToList();
    }

    public static DkimKeyView View(DkimKey key, string domainName) => new(
        key.Selector, key.Algorithm, key.State, $"{key.Selector}._domainkey.{domainName}",
        DkimKeyMaterial.RecordValue(key.Algorithm == DkimAlgorithm.Ed25519, key.PublicKey), key.CreatedAt, key.ActivatedAt, key.RetiringSince, key.RetiredAt);

    /// <summary>The private key of a stored key, for the snapshot only.</summary>
    public byte[] Unseal(DkimKey key) => _protector.Unprotect(key.SealedPrivateKey);

    /// <summary>A new key pair, pending, under a selector none of <paramref name="taken"/> has. The caller adds and saves it.</summary>
    public DkimKey NewKey(Domains.MailDomain domain, DkimAlgorithm algorithm, IEnumerable<string> taken)
    {
        var now = clock.GetUtcNow();
        // <yyyymm> and r or e: rotation alternates months, and a second key in one month gets a letter.
        var stem = now.ToString("yyyyMM", CultureInfo.InvariantCulture) + (algorithm == DkimAlgorithm.Rsa ? "r" : "e");
        var used = taken.ToHashSet(StringComparer.Ordinal);
        var selector = stem;
        for (var c = 'a'; used.Contains(selector); c++) selector = stem + c;

        var (pkcs8, publicKey) = DkimKeyMaterial.Generate(algorithm == DkimAlgorithm.Ed25519);
        try
        {
            return new DkimKey
            {
                Domain = domain,
                DomainId = domain.Id,
                Selector = selector,
                Algorithm = algorithm,
                State = DkimKeyState.Pending,
                SealedPrivateKey = _protector.Protect(pkcs8),
                PublicKey = publicKey,
                CreatedAt = now,
            };
        }
        finally
        {
            Array.Clear(pkcs8);
        }
    }
}
