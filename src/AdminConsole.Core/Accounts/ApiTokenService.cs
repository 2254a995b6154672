using System.Security.Cryptography;
using System.Text;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Accounts;

/// <summary>Creates, checks and revokes API tokens. A token reads <c>act_&lt;keyId&gt;_&lt;secret&gt;</c>.</summary>
public sealed class ApiTokenService(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public const string Prefix = "act_";
    public const int MaxNameLength = 100;

    /// <summary>Writing last-used on every request would turn every read into a write; a minute is precise enough.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public sealed record CreatedToken(ApiToken Token, string Plaintext);

    public async Task<CreatedToken> CreateAsync(string name, ApiTokenScope scope, string createdBy, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > MaxNameLength) throw new DomainValidationException("name", $"A token name is 1 to {MaxNameLength} characters.");
        if (await db.ApiTokens.AnyAsync(t => t.Name == name && t.RevokedAt == null, ct))
            throw new DomainConflictException("name", $"An active token named '{name}' already exists.");

        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Name = name,
            KeyId = keyId,
            SecretHash = SHA256.HashData(Encoding.ASCII.GetBytes(secret)),
            Scope = scope,
            CreatedBy = createdBy,
            CreatedAt = clock.GetUtcNow(),
        };
        db.ApiTokens.Add(token);
        audit.Record(createdBy, "token.created", $"token:{name}", new { scope = scope.ToString(), keyId });
        await db.SaveChangesAsync(ct);
        return new CreatedToken(token, $"{Prefix}{keyId}_{secret}");
    }

    /// <summary>Returns the active token the presented string proves, or null.</summary>
    public async Task<ApiToken?> AuthenticateAsync(string presented, CancellationToken ct = default)
    {
        if (!TryParse(presented, out var keyId, out var secret)) return null;
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.KeyId == keyId, ct);
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(secret));
        if (token is null || token.RevokedAt is not null || !CryptographicOperations.FixedTimeEquals(hash, token.SecretHash)) return null;

        var now = clock.GetUtcNow();
        if (token.LastUsedAt is null || now - token.LastUsedAt.Value > LastUsedResolution)
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }

        return token;
    }

    public async Task<bool> RevokeAsync(Guid id, string revokedBy, CancellationToken ct = default)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id && t.RevokedAt == null, ct);
        if (token is null) return false;
        token.RevokedAt = clock.GetUtcNow();
        audit.Record(revokedBy, "token.revoked", $"token:{token.Name}", new { token.KeyId });
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static bool TryParse(string presented, out string keyId, out string secret)
    {
        keyId = secret = string.Empty;
        if (presented.Length > 100 || !presented.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = presented.AsSpan(Prefix.Length);
        var underscore = rest.IndexOf('_');
        if (underscore != 12) return false;
        keyId = rest[..underscore].ToString();
        secret = rest[(underscore + 1)..].ToString();
        return secret.Length == 43;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
