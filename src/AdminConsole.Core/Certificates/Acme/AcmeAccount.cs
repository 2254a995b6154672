using System.Text.Json.Serialization;

namespace AdminConsole.Core.Certificates.Acme;

/// <summary>An account object (§7.1.2) and its URL, the "kid" of every later request.</summary>
public sealed record AcmeAccount
{
    [JsonIgnore]
    public Uri Location { get; init; } = null!;
    public string Status { get; init; } = "";
    public IReadOnlyList<string> Contact { get; init; } = [];
    public Uri? Orders { get; init; }
}
