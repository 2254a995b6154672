using MailEngine.Auth.Dkim;
using MailEngine.Dns;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace MailEngine.Auth.Arc;

/// <summary>
/// Validates a message's Authenticated Received Chain on arrival (RFC 8617 §5.2): the sets are
/// complete and numbered 1..N, cv= is none for the first and pass for the others, the newest
/// ARC-Message-Signature verifies over the message and every ARC-Seal over the chain. The
/// canonicalization and cryptography are MimeKit's ArcVerifier; the keys come through our resolver,
/// read by the same rules as DKIM's (RFC 8301: no SHA-1, RSA from 1024 bits), so every failure has a
/// reason a person can read.
/// </summary>
public sealed class ArcVerification(IDnsLookup dns)
{
    public async Task<ArcVerdict> VerifyAsync(MimeMessage message, CancellationToken ct)
    {
        if (!message.Headers.Any(h => h.Id is HeaderId.ArcSeal or HeaderId.ArcMessageSignature or HeaderId.ArcAuthenticationResults))
            return ArcVerdict.None;

        var keys = new DnsKeys(dns);
        var verifier = new ArcVerifier(keys) { MinimumRsaKeyLength = DkimKeyRecord.MinimumRsaBits };
        verifier.Disable(DkimSignatureAlgorithm.RsaSha1);
        ArcValidationResult result;
        try
        {
            result = await verifier.VerifyAsync(message, ct);
        }
        catch (FormatException e)
        {
            return new ArcVerdict(ArcResult.Fail, $"the ARC headers cannot be read: {e.Message}", [], null);
        }

        var seals = Seals(message, result);
        var newest = seals.Count > 0 ? seals[^1].Instance : 0;
        var reason = result.Chain switch
        {
            ArcSignatureValidationResult.Pass => $"{seals.Count} ARC set{(seals.Count == 1 ? "" : "s")}, newest sealed by {seals[^1].Domain}",
            ArcSignatureValidationResult.None => ArcVerdict.None.Reason,
            _ => Failure(result, keys),
        };
        var state = result.Chain switch
        {
            ArcSignatureValidationResult.Pass => ArcResult.Pass,
            ArcSignatureValidationResult.None => ArcResult.None,
            _ => ArcResult.Fail,
        };
        return new ArcVerdict(state, reason, seals, NewestResults(message, newest));
    }

    private static List<ArcSealInfo> Seals(MimeMessage message, ArcValidationResult result)
    {
        var seals = new List<ArcSealInfo>();
        foreach (var header in message.Headers.Where(h => h.Id == HeaderId.ArcSeal))
        {
            var tags = DkimVerification.TagList(header.Value);
            if (!int.TryParse(tags.GetValueOrDefault("i"), out var instance)) continue;
            var verified = result.Seals?.FirstOrDefault(s => ReferenceEquals(s?.Header, header))?.Signature == ArcSignatureValidationResult.Pass;
            seals.Add(new ArcSealInfo(instance, tags.GetValueOrDefault("d", ""), tags.GetValueOrDefault("s", ""), tags.GetValueOrDefault("cv", ""), verified));
        }

        seals.Sort((a, b) => a.Instance.CompareTo(b.Instance));
        return seals;
    }

    private static AuthenticationResults? NewestResults(MimeMessage message, int instance)
    {
        foreach (var header in message.Headers.Where(h => h.Id == HeaderId.ArcAuthenticationResults))
            if (AuthenticationResults.TryParse(header.RawValue, out var results) && results.Instance == instance) return results;
        return null;
    }

    private static string Failure(ArcValidationResult result, DnsKeys keys)
    {
        var errors = result.ChainErrors;
        var parts = new List<string>();
        if ((errors & (ArcValidationErrors.MissingArcAuthenticationResults | ArcValidationErrors.MissingArcMessageSignature | ArcValidationErrors.MissingArcSeal)) != 0)
            parts.Add("an ARC set is incomplete or an instance is missing (RFC 8617 §5.2 step 2)");
        if ((errors & (ArcValidationErrors.DuplicateArcAuthenticationResults | ArcValidationErrors.DuplicateArcMessageSignature | ArcValidationErrors.DuplicateArcSeal)) != 0)
            parts.Add("an instance has two headers of one kind");
        if ((errors & (ArcValidationErrors.InvalidArcAuthenticationResults | ArcValidationErrors.InvalidArcMessageSignature | ArcValidationErrors.InvalidArcSeal)) != 0)
            parts.Add("an ARC header cannot be read");
        if ((errors & (ArcValidationErrors.InvalidArcSealChainValidationValue | ArcValidationErrors.MissingArcSealChainValidationValue)) != 0)
            parts.Add("a seal's cv= is not none at i=1 and pass above (or an earlier hop said fail)");
        if ((errors & ArcValidationErrors.MessageSignatureValidationFailed) != 0)
            parts.Add("the newest ARC-Message-Signature does not verify (the message changed after the last hop)");
        if ((errors & ArcValidationErrors.SealValidationFailed) != 0)
            parts.Add($"ARC-Seal {string.Join(", ", result.Seals?.Where(s => s is { Signature: not ArcSignatureValidationResult.Pass }).Select(s => "i=" + DkimVerification.TagList(s.Header.Value).GetValueOrDefault("i", "?")) ?? [])} does not verify");
        parts.AddRange(keys.Problems);
        return parts.Count == 0 ? "the chain does not validate" : string.Join("; ", parts.Distinct());
    }

    /// <summary>The keys of the chain's signatures through our resolver; what went wrong is kept for the reason.</summary>
    private sealed class DnsKeys(IDnsLookup dns) : IDkimPublicKeyLocator
    {
        public List<string> Problems { get; } = [];

        public AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();

        public async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
        {
            var name = $"{selector}._domainkey.{domain}";
            var txt = await dns.QueryAsync(name, DnsRecordKind.Txt, cancellationToken);
            string problem;
            if (txt.Status == DnsLookupStatus.Failed) problem = $"the key lookup {name} failed: {txt.Error}";
            else if (txt.Values.Count == 0) problem = $"no key record at {name}";
            else
            {
                problem = "";
                foreach (var text in txt.Values)
                {
                    var keyType = DkimVerification.TagList(text).GetValueOrDefault("k", "rsa").ToLowerInvariant();
                    var record = DkimKeyRecord.Read(name, text, keyType == "ed25519" ? "ed25519-sha256" : "rsa-sha256", domain, null);
                    if (record.Key is { } key) return key;
                    if (problem.Length == 0) problem = record.Reason;
                }
            }

            lock (Problems) Problems.Add(problem);
            // MimeKit counts a signature whose key cannot be had as failed; the reason is kept above.
            throw new KeyNotFoundException(problem);
        }
    }
}
