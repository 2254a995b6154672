using System.Security.Cryptography;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using MailEngine.Srs;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Srs;

/// <summary>When each secret in use was made; never the secrets.</summary>
public sealed record SrsStatus(IReadOnlyList<DateTimeOffset> SecretsCreatedAt, DateTimeOffset? NextRotation);

/// <summary>
/// The SRS secrets: made here (32 random bytes), stored sealed, unsealed only into the encrypted
/// snapshot. Rotating makes a new signing secret and keeps the old ones as long as addresses made
/// with them are honoured (21 days after they were replaced), then deletes them.
/// </summary>
public sealed class SrsSecretService(AdminDbContext db, IDataProtectionProvider protection, AuditLog audit, IOptions<SrsOptions> options, TimeProvider clock)
{
    private readonly IDataProtector _protector = protection.CreateProtector("AdminConsole.Srs.Secret.v1");

    /// <summary>The secrets for the snapshot, the signing one first; the first is made here when there is none yet.</summary>
    public async Task<IReadOnlyList<byte[]>> ForSnapshotAsync(CancellationToken ct = default)
    {
        var secrets = await db.SrsSecrets.AsNoTracking().OrderByDescending(s => s.CreatedAt).ToListAsync(ct);
        if (secrets.Count == 0)
        {
            secrets.Add(Add());
            audit.Record("system:srs", "srs.secret-created", "srs");
            await db.SaveChangesAsync(ct);
        }

        return InUse(secrets).Select(s => _protector.Unprotect(s.SealedSecret)).ToList();
    }

    /// <summary>Replaces the signing secret when it is older than Srs:RotateEvery (or at once with <paramref name="force"/>), and deletes secrets no longer honoured. True when anything changed.</summary>
    public async Task<bool> RotateAsync(bool force, string actor, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var secrets = await db.SrsSecrets.OrderByDescending(s => s.CreatedAt).ToListAsync(ct);
        var changed = false;
        if (force || secrets.Count == 0 || secrets[0].CreatedAt + options.Value.RotateEvery <= now)
        {
            secrets.Insert(0, Add());
            audit.Record(actor, "srs.secret-rotated", "srs", new { previous = secrets.Count - 1 });
            changed = true;
        }

        var stale = secrets.Except(InUse(secrets)).ToList();
        if (stale.Count > 0)
        {
            db.SrsSecrets.RemoveRange(stale);
            audit.Record(actor, "srs.secrets-deleted", "srs", new { count = stale.Count });
            changed = true;
        }

        if (changed) await db.SaveChangesAsync(ct);
        return changed;
    }

    public async Task<SrsStatus> StatusAsync(CancellationToken ct = default)
    {
        var secrets = await db.SrsSecrets.AsNoTracking().OrderByDescending(s => s.CreatedAt).ToListAsync(ct);
        var used = InUse(secrets);
        return new SrsStatus(used.Select(s => s.CreatedAt).ToList(), used.Count > 0 ? used[0].CreatedAt + options.Value.RotateEvery : null);
    }

    /// <summary>The newest, and each older one whose successor is younger than the SRS window (plus a day of clock skew).</summary>
    private List<SrsSecret> InUse(List<SrsSecret> newestFirst)
    {
        var now = clock.GetUtcNow();
        var used = new List<SrsSecret>();
        for (var i = 0; i < newestFirst.Count; i++)
        {
            if (i == 0 || newestFirst[i - 1].CreatedAt + SenderRewriting.MaxAge + TimeSpan.FromDays(1) > now) used.Add(newestFirst[i]);
            else break;
        }

        return used;
    }

    private SrsSecret Add()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        try
        {
            var row = new SrsSecret { SealedSecret = _protector.Protect(secret), CreatedAt = EntityVersion.Now(clock) };
            db.SrsSecrets.Add(row);
            return row;
        }
        finally
        {
            Array.Clear(secret);
        }
    }
}
