namespace AdminConsole.Core.Dns;

/// <summary>
/// One record a domain needs. <see cref="Name"/> is the owner's full name without the final dot;
/// <see cref="Value"/> is the record data as a master file writes it, except that a TXT value is the
/// text itself (the zone export splits and quotes it). <see cref="InZone"/> is false for advice about
/// records that live elsewhere (the PTR of a sending address is in the provider's reverse zone).
/// <see cref="Obsolete"/> marks a record that must be deleted (a retired DKIM selector): the live check
/// wants it gone, the publisher deletes it, the zone export leaves it out.
/// </summary>
public sealed record DnsRecord(string Name, string Type, string Value, string Purpose, bool InZone = true, bool Obsolete = false)
{
    /// <summary>
    /// What kind of TXT record a value is, by its version tag (v=spf1, v=DKIM1, v=DMARC1, …; null for
    /// others): a record of the same kind with another value is a wrong one, an untagged TXT beside it
    /// (a site verification) is none of our business.
    /// </summary>
    public static string? TxtKind(string txt) => txt.StartsWith("v=", StringComparison.OrdinalIgnoreCase) ? txt.Split(';', ' ')[0].ToLowerInvariant() : null;

    /// <summary>Whether two TXT values say the same: whitespace between tags does not matter to receivers (RFC 6376 §3.2, RFC 7489 §6.4).</summary>
    public static bool SameTxt(string a, string b) => NormalizeTxt(a) == NormalizeTxt(b);

    private static string NormalizeTxt(string txt) => string.Join(';', txt.Split(';').Select(t => string.Concat(t.Where(c => !char.IsWhiteSpace(c))))).TrimEnd(';');
}
