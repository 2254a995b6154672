using System.Text.Json.Serialization;

namespace AdminConsole.Core.Certificates.Acme;

/// <summary>An authorization (§7.1.4): one name, the challenges that can prove control of it.</summary>
public sealed record AcmeAuthorization
{
    [JsonIgnore]
    public Uri Location { get; init; } = null!;
    [JsonIgnore]
    public TimeSpan? RetryAfter { get; init; }
    public AcmeIdentifier Identifier { get; init; } = null!;
    public string Status { get; init; } = "";
    public DateTimeOffset? Expires { get; init; }
    public bool Wildcard { get; init; }
    public IReadOnlyList<AcmeChallenge> Challenges { get; init; } = [];
}
