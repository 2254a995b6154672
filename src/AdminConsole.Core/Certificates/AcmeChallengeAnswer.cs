namespace AdminConsole.Core.Certificates;

/// <summary>
/// An HTTP-01 answer the console serves while the CA validates (RFC 8555 §8.3): kept in the database
/// so that whichever console instance the CA reaches has it. Removed when the validation is over.
/// </summary>
public sealed class AcmeChallengeAnswer
{
    public required string Token { get; set; }

    /// <summary>The name being validated: the answer is served to requests for this host only.</summary>
    public required string Name { get; set; }

    public required string KeyAuthorization { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
