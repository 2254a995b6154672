using System.Text.Json.Serialization;

namespace AdminConsole.Core.Certificates.Acme;

/// <summary>An order (§7.1.3): pending → ready → processing → valid, or invalid with its error.</summary>
public sealed record AcmeOrder
{
    [JsonIgnore]
    public Uri Location { get; init; } = null!;
    [JsonIgnore]
    public TimeSpan? RetryAfter { get; init; }
    public string Status { get; init; } = "";
    public DateTimeOffset? Expires { get; init; }
    public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];
    public IReadOnlyList<Uri> Authorizations { get; init; } = [];
    public Uri Finalize { get; init; } = null!;
    public Uri? Certificate { get; init; }
    public AcmeProblem? Error { get; init; }
}
