using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace MailEngine.Auth.Dkim;

/// <summary>
/// One key record at selector._domainkey.domain read for a signature (RFC 6376 §3.6.1): v, k, p (empty:
/// revoked), h, s, t=y (testing) and t=s (no subdomains in i=), and RFC 8301 §3.2's minimum RSA size.
/// DKIM-Signature and ARC's signatures (RFC 8617 §4.1.2, §4.1.3) use the same records.
/// </summary>
/// <param name="Key">The public key when the record allows the signature; null with <see cref="Error"/> and <see cref="Reason"/> set otherwise.</param>
public sealed record DkimKeyRecord(AsymmetricKeyParameter? Key, bool Testing, DkimResult? Error, string Reason)
{
    public const int MinimumRsaBits = 1024;

    /// <param name="name">The record's DNS name, for the reason.</param>
    /// <param name="algorithm">The signature's a= (lower case).</param>
    /// <param name="domain">The signature's d=.</param>
    /// <param name="identity">The signature's i=, or null (ARC signatures have none).</param>
    public static DkimKeyRecord Read(string name, string text, string algorithm, string domain, string? identity)
    {
        var record = DkimVerification.TagList(text);
        var testing = record.GetValueOrDefault("t", "").Split(':').Any(f => f.Trim() == "y");
        DkimKeyRecord Refused(DkimResult result, string reason) => new(null, testing, result, reason);

        if (record.TryGetValue("v", out var version) && version != "DKIM1") return Refused(DkimResult.PermError, $"{name}: v={version} is not DKIM1");
        if (!record.TryGetValue("p", out var p)) return Refused(DkimResult.PermError, $"{name} has no p= (not a key record)");
        if (p.Length == 0) return Refused(DkimResult.Fail, $"the key {name} is revoked (empty p=)");
        var keyType = record.GetValueOrDefault("k", "rsa").ToLowerInvariant();
        if (keyType != (algorithm == "ed25519-sha256" ? "ed25519" : "rsa")) return Refused(DkimResult.PermError, $"{name} is a k={keyType} key, the signature says a={algorithm}");
        if (record.TryGetValue("h", out var hashes) && !hashes.Split(':').Any(h => h.Trim() == "sha256")) return Refused(DkimResult.PermError, $"{name} allows h={hashes} only");
        if (record.TryGetValue("s", out var services) && !services.Split(':').Any(s => s.Trim() is "*" or "email")) return Refused(DkimResult.PermError, $"{name} is not for email (s={services})");
        // t=s: the i= domain must be d= itself, not a subdomain.
        if (identity is not null && record.GetValueOrDefault("t", "").Split(':').Any(f => f.Trim() == "s")
            && !identity[(identity.LastIndexOf('@') + 1)..].Equals(domain, StringComparison.OrdinalIgnoreCase))
            return Refused(DkimResult.PermError, $"{name} is strict (t=s) and i={identity} is not in {domain}");

        AsymmetricKeyParameter key;
        try
        {
            key = KeyParser.Parse(text);
        }
        catch (Exception e) when (e is FormatException or ParseException or ArgumentException or InvalidCastException or IOException)
        {
            return Refused(DkimResult.PermError, $"{name}: the key cannot be read ({e.Message})");
        }

        if (key is RsaKeyParameters rsa && rsa.Modulus.BitLength < MinimumRsaBits)
            return Refused(DkimResult.Fail, $"the RSA key {name} has {rsa.Modulus.BitLength} bits; under {MinimumRsaBits} is not accepted (RFC 8301 §3.2)");
        return new DkimKeyRecord(key, testing, null, "");
    }

    /// <summary>MimeKit's own reading of a key record's p= (RSA SubjectPublicKeyInfo, Ed25519 raw key).</summary>
    private sealed class KeyParser : DkimPublicKeyLocatorBase
    {
        public static AsymmetricKeyParameter Parse(string record) => GetPublicKey(record);

        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
