namespace AdminConsole.Core.Certificates.Acme;

/// <summary>A challenge (§8): its type ("http-01", "dns-01", "tls-alpn-01"), token, and the CA's error when it failed.</summary>
public sealed record AcmeChallenge
{
    public const string Http01 = "http-01";
    public const string Dns01 = "dns-01";
    public const string TlsAlpn01 = "tls-alpn-01";

    public string Type { get; init; } = "";
    public Uri Url { get; init; } = null!;
    public string Status { get; init; } = "";
    public string? Token { get; init; }
    public DateTimeOffset? Validated { get; init; }
    public AcmeProblem? Error { get; init; }
}
