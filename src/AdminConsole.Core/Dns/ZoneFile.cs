using System.Text;

namespace AdminConsole.Core.Dns;

/// <summary>
/// The records of a domain as an RFC 1035 §5 master-file fragment: $ORIGIN and $TTL, owner names
/// relative to the origin, TXT data in quoted strings of at most 255 bytes each (RFC 1035 §3.3.14;
/// RFC 7208 §3.3 joins them again). Records outside the zone (PTR advice) and records to delete are
/// left out as comments.
/// </summary>
public static class ZoneFile
{
    public const int MaxTxtStringBytes = 255;

    public static string Write(string domain, IEnumerable<DnsRecord> records, int ttl)
    {
        var zone = new StringBuilder();
        zone.Append($"; Records for {domain}, as the mail admin console computes them.\n");
        zone.Append($"$ORIGIN {domain}.\n$TTL {ttl}\n");
        foreach (var record in records)
        {
            if (!record.InZone)
            {
                zone.Append($"; outside this zone: {record.Name}. {record.Type} {record.Value}\n");
                continue;
            }

            if (record.Obsolete)
            {
                zone.Append($"; delete: {record.Name}. {record.Type} (no longer used)\n");
                continue;
            }

            var owner = record.Name == domain ? "@" : record.Name.EndsWith("." + domain, StringComparison.Ordinal) ? record.Name[..^(domain.Length + 1)] : record.Name + ".";
            var data = record.Type == "TXT" ? Quoted(record.Value) : record.Value;
            zone.Append($"{owner}\tIN\t{record.Type}\t{data}\n");
        }

        return zone.ToString();
    }

    /// <summary>Text as quoted character-strings of at most 255 bytes, escaping quotes and backslashes.</summary>
    public static string Quoted(string text)
    {
        var parts = new List<string>();
        foreach (var chunk in Split(Encoding.UTF8.GetBytes(text)))
            parts.Add("\"" + Encoding.UTF8.GetString(chunk).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
        return parts.Count == 1 ? parts[0] : "( " + string.Join(" ", parts) + " )";
    }

    /// <summary>The text in pieces of at most 255 bytes (the values we make are ASCII, so no character is cut).</summary>
    public static IEnumerable<byte[]> Split(byte[] text)
    {
        for (var i = 0; i < text.Length; i += MaxTxtStringBytes)
            yield return text[i..Math.Min(text.Length, i + MaxTxtStringBytes)];
        if (text.Length == 0) yield return [];
    }
}
