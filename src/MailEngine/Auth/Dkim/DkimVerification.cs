using System.Text;
using MailEngine.Dns;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace MailEngine.Auth.Dkim;

/// <summary>The result of one signature (RFC 8601 §2.7.1).</summary>
public enum DkimResult { Pass, Fail, Neutral, TempError, PermError, Policy }

/// <summary>
/// One DKIM-Signature's verdict: its domain (d=), selector, algorithm, the result, why, and the
/// flags a receiver should weigh: the key is in testing mode (t=y), the body was signed only in
/// part (l=, RFC 6376 §8.2: content may have been appended).
/// </summary>
/// <param name="Signature">The b= value without white space: RFC 6008's header.b names the signature by its first characters.</param>
public sealed record DkimSignatureVerdict(DkimResult Result, string Domain, string Selector, string Algorithm, string Reason, bool Testing = false, bool BodyLengthLimited = false, string Signature = "")
{
    public string Keyword => Result.ToString().ToLowerInvariant();

    /// <summary>RFC 6008 §4: the first eight characters of b= tell two signatures of one domain apart.</summary>
    public string SignaturePrefix => Signature.Length <= 8 ? Signature : Signature[..8];
}

/// <summary>
/// Verifies every DKIM-Signature of a message (RFC 6376; RFC 8463 Ed25519; RFC 8301: RSA keys under
/// 1024 bits and SHA-1 fail). The cryptography and canonicalization are MimeKit's DkimVerifier; the
/// key record (RFC 6376 §3.6.1: v, h, k, p, s, t), the signature's times (x=, t=) and the policy of
/// RFC 8301 are checked here, so each failure has a reason a person can read.
/// </summary>
public sealed class DkimVerification(IDnsLookup dns, TimeProvider clock)
{
    /// <summary>How far in the future a t= may be before the signature is not believed (clocks differ a little).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(15);
    public const int MinimumRsaBits = DkimKeyRecord.MinimumRsaBits;

    public async Task<IReadOnlyList<DkimSignatureVerdict>> VerifyAsync(MimeMessage message, CancellationToken ct)
    {
        var verdicts = new List<DkimSignatureVerdict>();
        foreach (var header in message.Headers.Where(h => h.Id == HeaderId.DkimSignature))
            verdicts.Add(await VerifyOneAsync(message, header, ct));
        return verdicts;
    }

    private async Task<DkimSignatureVerdict> VerifyOneAsync(MimeMessage message, Header header, CancellationToken ct)
    {
        var tags = TagList(header.Value);
        var domain = tags.GetValueOrDefault("d", "");
        var selector = tags.GetValueOrDefault("s", "");
        var algorithm = tags.GetValueOrDefault("a", "").ToLowerInvariant();
        DkimSignatureVerdict Verdict(DkimResult result, string reason, bool testing = false) =>
            new(result, domain, selector, algorithm, reason, testing, tags.ContainsKey("l"), tags.GetValueOrDefault("b", ""));

        foreach (var required in new[] { "v", "a", "b", "bh", "d", "h", "s" })
            if (!tags.ContainsKey(required)) return Verdict(DkimResult.PermError, $"the signature has no {required}= tag (RFC 6376 §3.5)");
        if (tags["v"] != "1") return Verdict(DkimResult.PermError, $"v={tags["v"]}: not a DKIM signature version this verifier knows");
        if (algorithm == "rsa-sha1") return Verdict(DkimResult.Fail, "rsa-sha1 is not accepted (RFC 8301 §3.1)");
        if (algorithm is not ("rsa-sha256" or "ed25519-sha256")) return Verdict(DkimResult.PermError, $"a={algorithm}: unknown algorithm");
        if (!tags["h"].Split(':').Any(h => h.Trim().Equals("from", StringComparison.OrdinalIgnoreCase)))
            return Verdict(DkimResult.PermError, "h= does not sign the From field (RFC 6376 §5.4)");
        if (tags.TryGetValue("i", out var agent) && !InDomain(agent[(agent.LastIndexOf('@') + 1)..], domain))
            return Verdict(DkimResult.PermError, $"i={agent} is not in d={domain} or a subdomain of it (RFC 6376 §3.5)");

        var now = clock.GetUtcNow();
        long? expires = long.TryParse(tags.GetValueOrDefault("x"), out var x) ? x : null;
        long? signedAt = long.TryParse(tags.GetValueOrDefault("t"), out var t) ? t : null;
        if (expires is { } ex && now.ToUnixTimeSeconds() > ex) return Verdict(DkimResult.Fail, $"the signature expired at {DateTimeOffset.FromUnixTimeSeconds(ex):u} (x=)");
        if (signedAt is { } at && DateTimeOffset.FromUnixTimeSeconds(at) > now + ClockSkew) return Verdict(DkimResult.PermError, $"the signature is dated {DateTimeOffset.FromUnixTimeSeconds(at):u}, in the future (t=)");
        if (expires is { } e2 && signedAt is { } s2 && e2 < s2) return Verdict(DkimResult.PermError, "x= is before t= (RFC 6376 §3.5)");

        var name = $"{selector}._domainkey.{domain}";
        var txt = await dns.QueryAsync(name, DnsRecordKind.Txt, ct);
        if (txt.Status == DnsLookupStatus.Failed) return Verdict(DkimResult.TempError, $"the key lookup {name} failed: {txt.Error}");
        if (txt.Values.Count == 0) return Verdict(DkimResult.PermError, $"no key record at {name}");
        // Several key records at one selector (a key being replaced): each is tried, a pass from any is a
        // pass, and otherwise the first record's failure is the reason (RFC 6376 §3.6.2.2 lets verifiers cycle).
        DkimSignatureVerdict? first = null;
        foreach (var text in txt.Values)
        {
            var verdict = await VerifyWithKeyAsync(message, header, tags, name, text, Verdict, ct);
            if (verdict.Result == DkimResult.Pass) return verdict;
            first ??= verdict;
        }

        return first!;
    }

    private static async Task<DkimSignatureVerdict> VerifyWithKeyAsync(
        MimeMessage message, Header header, Dictionary<string, string> tags, string name, string text,
        Func<DkimResult, string, bool, DkimSignatureVerdict> verdictOf, CancellationToken ct)
    {
        var domain = tags["d"];
        var record = DkimKeyRecord.Read(name, text, tags["a"].ToLowerInvariant(), domain, tags.GetValueOrDefault("i"));
        var testing = record.Testing;
        if (record.Key is not { } key) return verdictOf(record.Error!.Value, record.Reason, testing);

        var verifier = new DkimVerifier(new FixedKey(key)) { MinimumRsaKeyLength = MinimumRsaBits };
        verifier.Disable(DkimSignatureAlgorithm.RsaSha1);
        try
        {
            var ok = await verifier.VerifyAsync(message, header, ct);
            var length = tags.ContainsKey("l") ? " (only the first l= bytes of the body are signed)" : "";
            return ok
                ? verdictOf(DkimResult.Pass, $"signed by {domain} with {name}{length}", testing)
                : verdictOf(DkimResult.Fail, $"the signature or the body hash does not verify with {name}", testing);
        }
        catch (FormatException ex3)
        {
            return verdictOf(DkimResult.PermError, $"the signature cannot be read: {ex3.Message}", testing);
        }
    }

    private static bool InDomain(string name, string domain) =>
        name.Equals(domain, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);

    /// <summary>A tag-list (RFC 6376 §3.2): "tag=value" separated by ';', white space around and (for b=, bh=, p=) inside ignored.</summary>
    internal static Dictionary<string, string> TagList(string text)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(';'))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var tag = part[..eq].Trim();
            var value = part[(eq + 1)..];
            value = tag is "b" or "bh" or "p" ? string.Concat(value.Where(c => !char.IsWhiteSpace(c))) : Unfold(value).Trim();
            tags.TryAdd(tag, value);
        }

        return tags;
    }

    private static string Unfold(string value) => new StringBuilder(value).Replace("\r\n", "").Replace("\n", "").ToString();

    /// <summary>The key already fetched and checked above, for MimeKit's verifier.</summary>
    private sealed class FixedKey(AsymmetricKeyParameter key) : IDkimPublicKeyLocator
    {
        public AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) => key;

        public Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) => Task.FromResult(key);
    }
}
