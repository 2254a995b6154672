using System.Security.Cryptography.X509Certificates;

namespace MailEngine.OutboundTls;

/// <summary>
/// Checks a server's certificate chain against its DNSSEC-validated TLSA records, as RFC 7672 §3.1
/// asks of an SMTP client: a DANE-EE(3) record names the server's own certificate or key, and then
/// neither names nor dates matter (§3.1.1); a DANE-TA(2) record names a trust anchor the chain must
/// lead to, and the server's certificate must then carry one of the reference identifiers (the MX
/// host name, and the next-hop domain when the MX answer was secure, §3.2.2) and be in date.
/// </summary>
public static class DaneAuthentication
{
    /// <returns>Null when a record authenticates the server; otherwise why none did.</returns>
    public static string? Verify(IReadOnlyList<TlsaAssociation> records, X509Certificate2 leaf, IReadOnlyList<X509Certificate2> presented,
        IReadOnlyList<string> referenceNames, DateTimeOffset now)
    {
        var usable = records.Where(r => r.Usable).ToList();
        if (usable.Any(r => r.Usage == TlsaAssociation.DaneEe && r.Matches(leaf))) return null;

        foreach (var record in usable.Where(r => r.Usage == TlsaAssociation.DaneTa))
        {
            foreach (var anchor in presented.Where(c => !c.RawData.AsSpan().SequenceEqual(leaf.RawData) && record.Matches(c)))
            {
                if (Tls.CertificateChains.Problem(leaf, [anchor], presented, now) is { } complaints)
                    return $"the chain does not lead to the DANE-TA anchor {anchor.Subject}: {complaints}";
                var name = referenceNames.FirstOrDefault(n => leaf.MatchesHostname(n, allowWildcards: true));
                return name is null ? $"the certificate ({leaf.Subject}) names none of {string.Join(", ", referenceNames)} (RFC 7672 §3.2.2)" : null;
            }
        }

        return $"no TLSA record matches the certificate ({leaf.Subject}, SHA-256 of its key {Convert.ToHexStringLower(TlsaAssociation.Of(leaf, 1, 1))[..16]}…)";
    }
}
