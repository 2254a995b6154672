using MailEngine.Auth;
using MailEngine.Auth.Arc;
using MailEngine.Contracts;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace MailEngine.Dkim;

/// <summary>
/// Adds our ARC set (RFC 8617 §5.1: ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal) to a
/// copy we forward outside our domains (a group's external member, a Sieve redirect), signed with the
/// forwarding domain's DKIM key, so the receiver can see what we saw on arrival even though the
/// forward breaks SPF (and a footer or a rewritten subject would break DKIM). The AAR repeats our
/// Authentication-Results of the message; cv= is its arc= result, or the chain verified now when
/// the message came without one (from a trusted network, by submission).
/// </summary>
public sealed class ArcSealing(ArcVerification verification, string authservId, TimeProvider clock, Telemetry.EngineCounters counters)
{
    /// <summary>What AMS signs: DKIM's list and the DKIM signatures, so a receiver can tell the sender's signature was there when we sealed.</summary>
    private static readonly HeaderId[] SignedHeaders =
    [
        HeaderId.From, HeaderId.ReplyTo, HeaderId.Subject, HeaderId.Date, HeaderId.To, HeaderId.Cc, HeaderId.MessageId,
        HeaderId.InReplyTo, HeaderId.References, HeaderId.ListId, HeaderId.ListPost, HeaderId.ListUnsubscribe,
        HeaderId.MimeVersion, HeaderId.ContentType, HeaderId.ContentTransferEncoding, HeaderId.DkimSignature,
    ];

    /// <summary>
    /// Seals <paramref name="message"/> in place (the three fields go on top) for <paramref name="forwarder"/>;
    /// false when the domain has no key or a hop before already sealed with cv=fail (RFC 8617 §5.1.2: the
    /// chain is over; MimeKit's signer declines). A chain that fails here is sealed with cv=fail.
    /// </summary>
    public async Task<bool> SealAsync(MimeMessage message, SnapshotDomain forwarder, CancellationToken ct)
    {
        // RSA first: every ARC verifier knows it, not every one knows Ed25519 (RFC 8463).
        var key = forwarder.DkimKeys?.OrderBy(k => k.Algorithm == SnapshotDkimKey.RsaSha256 ? 0 : 1).FirstOrDefault();
        if (key is null) return false;
        var results = await ResultsAsync(message, ct);

        var algorithm = key.Algorithm == SnapshotDkimKey.Ed25519Sha256 ? DkimSignatureAlgorithm.Ed25519Sha256 : DkimSignatureAlgorithm.RsaSha256;
        var signer = new Sealer(DkimKeyMaterial.SigningKey(key.PrivateKey), forwarder.Name, key.Selector, algorithm, results, clock)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        var before = message.Headers.Count;
        await signer.SignAsync(message, SignedHeaders, ct);
        var sealedNow = message.Headers.Count > before;
        if (sealedNow) counters.ArcSealed.Add(1);
        return sealedNow;
    }

    /// <summary>Our Authentication-Results of the message (the topmost with our authserv-id), with an arc= result for cv=.</summary>
    private async Task<AuthenticationResults> ResultsAsync(MimeMessage message, CancellationToken ct)
    {
        AuthenticationResults? ours = null;
        foreach (var header in message.Headers.Where(h => h.Id == HeaderId.AuthenticationResults))
        {
            if (AuthenticationResults.TryParse(header.RawValue, out var parsed) && string.Equals(parsed.AuthenticationServiceIdentifier, authservId, StringComparison.OrdinalIgnoreCase))
            {
                ours = parsed;
                break;
            }
        }

        ours ??= new AuthenticationResults(authservId);
        if (!ours.Results.Any(r => r.Method.Equals("arc", StringComparison.OrdinalIgnoreCase)))
        {
            var chain = await verification.VerifyAsync(message, ct);
            ours.Results.Add(new AuthenticationMethodResult("arc", chain.Keyword));
        }

        return ours;
    }

    private sealed class Sealer(AsymmetricKeyParameter key, string domain, string selector, DkimSignatureAlgorithm algorithm, AuthenticationResults results, TimeProvider clock)
        : ArcSigner(key, domain, selector, algorithm)
    {
        protected override AuthenticationResults GenerateArcAuthenticationResults(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) => results;

        protected override Task<AuthenticationResults> GenerateArcAuthenticationResultsAsync(FormatOptions options, MimeMessage message, CancellationToken cancellationToken) => Task.FromResult(results);

        protected override long GetTimestamp() => clock.GetUtcNow().ToUnixTimeSeconds();
    }
}
