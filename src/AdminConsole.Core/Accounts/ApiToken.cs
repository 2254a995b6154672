namespace AdminConsole.Core.Accounts;

/// <summary>
/// A bearer token for the REST API. Only a SHA-256 hash of the secret is stored: the secret is
/// 256 random bits, so a slow password hash would add nothing but latency to every request.
/// </summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }
    public required string Name { get; set; }

    /// <summary>The public part of the token ("act_&lt;id&gt;_…"), used to find the row without scanning hashes.</summary>
    public required string KeyId { get; set; }

    public required byte[] SecretHash { get; set; }
    public ApiTokenScope Scope { get; set; } = ApiTokenScope.ReadWrite;
    public string CreatedBy { get; set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public enum ApiTokenScope
{
    Read = 0,
    ReadWrite = 1,
}
