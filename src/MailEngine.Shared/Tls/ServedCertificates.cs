using System.Collections.Frozen;
using MailEngine.Contracts;

namespace MailEngine.Tls;

/// <summary>
/// The certificates a TLS server chooses from by the client's server name (RFC 6066 §3), built once
/// from the snapshot's list: the engine's SMTP and IMAP listeners and the console's HTTPS choose the
/// same way. In the list's order a later certificate for a name wins (the console lists the
/// longest-lived last).
/// </summary>
public sealed class ServedCertificates
{
    public static readonly ServedCertificates None = new([]);

    private readonly FrozenDictionary<string, ServedCertificate> _byName;
    private readonly IReadOnlyList<ServedCertificate> _all;

    /// <summary>Throws FormatException naming the certificate whose chain or key cannot be used.</summary>
    public ServedCertificates(IEnumerable<SnapshotCertificate> certificates)
    {
        var byName = new Dictionary<string, ServedCertificate>(StringComparer.OrdinalIgnoreCase);
        var all = new List<ServedCertificate>();
        foreach (var entry in certificates)
        {
            ServedCertificate certificate;
            try
            {
                certificate = ServedCertificate.FromPem(entry.ChainPem, Convert.FromBase64String(entry.PrivateKey));
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new FormatException($"The certificate for {string.Join(", ", entry.HostNames)} cannot be used: {e.Message}", e);
            }

            all.Add(certificate);
            foreach (var name in entry.HostNames) byName[name.TrimEnd('.')] = certificate;
        }

        _byName = byName.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _all = all;
    }

    /// <summary>Every certificate loaded, in the list's order (one another outranks for all its names included: it is installed, and served again once that one goes).</summary>
    public IReadOnlyList<ServedCertificate> All => _all;

    /// <summary>The certificate for a TLS client's SNI name: an exact name first, then "*.parent" (RFC 6125 §6.4.3); null if none.</summary>
    public ServedCertificate? For(string? hostName)
    {
        if (string.IsNullOrEmpty(hostName) || _byName.Count == 0) return null;
        hostName = hostName.TrimEnd('.');
        if (_byName.TryGetValue(hostName, out var exact)) return exact;
        var dot = hostName.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && _byName.TryGetValue("*" + hostName[dot..], out var wildcard) ? wildcard : null;
    }
}
