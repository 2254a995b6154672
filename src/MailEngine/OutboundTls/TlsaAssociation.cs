using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailEngine.OutboundTls;

/// <summary>
/// One TLSA record (RFC 6698 §2.1): which certificate it names (usage), which part of it (selector:
/// the whole certificate or its SubjectPublicKeyInfo) and how (matching type: exact, SHA-256, SHA-512).
/// </summary>
public sealed record TlsaAssociation(int Usage, int Selector, int MatchingType, byte[] Data)
{
    /// <summary>DANE-TA(2): a trust anchor of the server's chain (RFC 7218 names).</summary>
    public const int DaneTa = 2;

    /// <summary>DANE-EE(3): the server's own certificate or key.</summary>
    public const int DaneEe = 3;

    /// <summary>
    /// Whether SMTP may use it (RFC 7672 §3.1.3): PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP,
    /// as are selectors and matching types not defined.
    /// </summary>
    public bool Usable => Usage is DaneTa or DaneEe && Selector is 0 or 1 && MatchingType is 0 or 1 or 2 && Data.Length > 0;

    /// <summary>Reads the presentation form "3 1 1 AB12…" (as <see cref="Dns.SystemDnsLookup"/> gives it); null when it is not one.</summary>
    public static TlsaAssociation? Parse(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4) return null;
        if (!byte.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var usage)
            || !byte.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var selector)
            || !byte.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var matching)) return null;
        try
        {
            return new TlsaAssociation(usage, selector, matching, Convert.FromHexString(string.Concat(parts[3..])));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The record data that would name this certificate with this record's selector and matching type.</summary>
    public static byte[] Of(X509Certificate2 certificate, int selector, int matchingType)
    {
        var content = selector == 0 ? certificate.RawData : certificate.PublicKey.ExportSubjectPublicKeyInfo();
        return matchingType switch
        {
            1 => SHA256.HashData(content),
            2 => SHA512.HashData(content),
            _ => content,
        };
    }

    public bool Matches(X509Certificate2 certificate) => Usable && Of(certificate, Selector, MatchingType).AsSpan().SequenceEqual(Data);

    public override string ToString() => $"{Usage} {Selector} {MatchingType} {Convert.ToHexStringLower(Data)}";
}
