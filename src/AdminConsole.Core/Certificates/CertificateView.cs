namespace AdminConsole.Core.Certificates;

/// <summary>A certificate as the page and the API show it: never its private key.</summary>
/// <param name="InUse">Where it is served now: each engine node by name ("engine node local") and "console HTTPS".</param>
/// <param name="Status">pending (not issued yet), valid, expiring (under 30 days left), expired, failed (never issued, last try failed) or revoked.</param>
public sealed record CertificateView(Guid Id, IReadOnlyList<string> Names, string Source, string? Challenge, string KeyAlgorithm, string? DirectoryUrl,
    string Status, string? Issuer, string? SerialNumber, DateTimeOffset? NotBefore, DateTimeOffset? NotAfter, int? DaysLeft, DateTimeOffset? RenewAt,
    string? LastError, DateTimeOffset? NextAttemptAt, DateTimeOffset? RevokedAt, DateTimeOffset CreatedAt, IReadOnlyList<CertificateEventView> Events,
    IReadOnlyList<string> InUse);

public sealed record CertificateEventView(DateTimeOffset At, string Step, string Message);
