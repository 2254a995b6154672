namespace AdminConsole.Core.Certificates;

/// <summary>Our account at one ACME directory: its URL ("kid") and the ECDSA P-256 key, sealed by Data Protection.</summary>
public sealed class AcmeAccountRecord
{
    public Guid Id { get; set; }
    public required string DirectoryUrl { get; set; }
    public required string AccountUrl { get; set; }
    public List<string> Contact { get; set; } = [];
    public required byte[] SealedKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
