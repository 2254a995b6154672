using System.Text.Json.Serialization;

namespace AdminConsole.Core.Certificates.Acme;

/// <summary>The CA's suggested renewal window for a certificate (RFC 9773 §4.2).</summary>
public sealed record AcmeRenewalInfo
{
    public required AcmeRenewalWindow SuggestedWindow { get; init; }
    [JsonPropertyName("explanationURL")]
    public Uri? ExplanationUrl { get; init; }
    [JsonIgnore]
    public TimeSpan? RetryAfter { get; init; }
}

public sealed record AcmeRenewalWindow(DateTimeOffset Start, DateTimeOffset End);
