namespace AdminConsole.Core.Certificates;

/// <summary>
/// An answer the console serves while the CA validates: at /.well-known/acme-challenge/{token} for
/// http-01 (RFC 8555 §8.3), or as the acme-tls/1 certificate for tls-alpn-01 (RFC 8737). Kept in the
/// database so that whichever console instance the CA reaches has it; removed when the validation is over.
/// </summary>
public sealed class AcmeChallengeAnswer
{
    public required string Token { get; set; }

    /// <summary>The name being validated: the answer is served to requests for this host only.</summary>
    public required string Name { get; set; }

    /// <summary>Which challenge it answers: an http-01 answer is never served as a tls-alpn-01 certificate, nor the other way.</summary>
    public AcmeChallengeKind Challenge { get; set; }

    public required string KeyAuthorization { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
