using System.Globalization;

namespace MailEngine.Auth.Dmarc;

/// <summary>What a domain asks receivers to do with mail that fails DMARC (RFC 7489 §6.3 p=).</summary>
public enum DmarcPolicy { None, Quarantine, Reject }

/// <summary>adkim= and aspf= (RFC 7489 §3.1): the organizational domains match, or the names are equal.</summary>
public enum DmarcAlignment { Relaxed, Strict }

/// <summary>A reporting address of rua= or ruf= with its size limit (RFC 7489 §6.2: "mailto:a@b.example!10m").</summary>
public sealed record DmarcReportUri(string Uri, long? MaxBytes)
{
    /// <summary>The mailbox of a mailto: URI, or null for another scheme (which we cannot send to).</summary>
    public string? Mailbox => Uri.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? System.Uri.UnescapeDataString(Uri[7..].Split('?')[0]) : null;
}

/// <summary>
/// A DMARC policy record (RFC 7489 §6.3), with DMARCbis's np= (policy for non-existent subdomains)
/// and t= (testing: apply one policy lower, as pct=0 did) read too. Unknown tags are ignored; a known
/// optional tag with a bad value falls back to its default and is noted in <see cref="Warnings"/>.
/// </summary>
public sealed record DmarcRecord(
    DmarcPolicy Policy,
    DmarcPolicy? SubdomainPolicy,
    DmarcPolicy? NonExistentPolicy,
    int Percent,
    bool Testing,
    DmarcAlignment DkimAlignment,
    DmarcAlignment SpfAlignment,
    IReadOnlyList<DmarcReportUri> AggregateReports,
    IReadOnlyList<DmarcReportUri> FailureReports,
    string FailureOptions,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Whether a TXT record is a DMARC record at all (§6.6.3: others at _dmarc are discarded).</summary>
    public static bool IsDmarc(string text)
    {
        var first = text.Split(';', 2)[0].Split('=', 2);
        return first.Length == 2 && first[0].Trim() == "v" && first[1].Trim() == "DMARC1";
    }

    /// <summary>
    /// Reads a record. A missing or bad p= (or a bad sp=) makes it p=none when rua= has a valid URI
    /// and no record otherwise (§6.6.3), so <paramref name="error"/> says why when this returns false.
    /// </summary>
    public static bool TryParse(string text, out DmarcRecord record, out string error)
    {
        record = default!;
        error = "";
        if (!IsDmarc(text))
        {
            error = "the record does not begin with v=DMARC1";
            return false;
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(';').Skip(1))
        {
            if (string.IsNullOrWhiteSpace(part)) continue;
            var pair = part.Split('=', 2);
            if (pair.Length != 2)
            {
                error = $"\"{part.Trim()}\" is not a tag=value pair";
                return false;
            }

            // The first of a repeated tag counts (a record with two p= is a sender's mistake, not a reason to guess).
            tags.TryAdd(pair[0].Trim().ToLowerInvariant(), pair[1].Trim());
        }

        var warnings = new List<string>();
        var aggregate = Uris(tags.GetValueOrDefault("rua"), "rua", warnings);
        var policy = ReadPolicy(tags.GetValueOrDefault("p"));
        DmarcPolicy? subdomain = tags.TryGetValue("sp", out var sp) ? ReadPolicy(sp) : null;
        if (policy is null || (tags.ContainsKey("sp") && subdomain is null))
        {
            var what = policy is null ? tags.ContainsKey("p") ? $"p={tags["p"]} is not none, quarantine or reject" : "the record has no p=" : $"sp={sp} is not none, quarantine or reject";
            if (aggregate.Count == 0)
            {
                error = what;
                return false;
            }

            // §6.6.3: act as if p=none was published, so the reports still flow.
            warnings.Add($"{what}: read as p=none because rua= is valid");
            policy = DmarcPolicy.None;
            subdomain = null;
        }

        DmarcPolicy? nonExistent = null;
        if (tags.TryGetValue("np", out var np))
        {
            nonExistent = ReadPolicy(np);
            if (nonExistent is null) warnings.Add($"np={np} is not none, quarantine or reject: ignored");
        }

        var percent = 100;
        if (tags.TryGetValue("pct", out var pct) && !(int.TryParse(pct, NumberStyles.None, CultureInfo.InvariantCulture, out percent) && percent <= 100))
        {
            warnings.Add($"pct={pct} is not a number from 0 to 100: read as 100");
            percent = 100;
        }

        return Done(out record, new DmarcRecord(
            policy.Value, subdomain, nonExistent, percent,
            tags.GetValueOrDefault("t") == "y",
            Alignment(tags.GetValueOrDefault("adkim"), "adkim", warnings),
            Alignment(tags.GetValueOrDefault("aspf"), "aspf", warnings),
            aggregate, Uris(tags.GetValueOrDefault("ruf"), "ruf", warnings),
            tags.GetValueOrDefault("fo", "0"), warnings));
    }

    private static bool Done(out DmarcRecord record, DmarcRecord value)
    {
        record = value;
        return true;
    }

    private static DmarcPolicy? ReadPolicy(string? value) => value?.ToLowerInvariant() switch
    {
        "none" => DmarcPolicy.None,
        "quarantine" => DmarcPolicy.Quarantine,
        "reject" => DmarcPolicy.Reject,
        _ => null,
    };

    private static DmarcAlignment Alignment(string? value, string tag, List<string> warnings)
    {
        switch (value)
        {
            case null or "r": return DmarcAlignment.Relaxed;
            case "s": return DmarcAlignment.Strict;
            default:
                warnings.Add($"{tag}={value} is not r or s: read as r");
                return DmarcAlignment.Relaxed;
        }
    }

    /// <summary>A comma-separated list of URIs, each with an optional !size[kmgt] (§6.4); bad ones are dropped with a warning.</summary>
    private static IReadOnlyList<DmarcReportUri> Uris(string? value, string tag, List<string> warnings)
    {
        if (string.IsNullOrWhiteSpace(value)) return [];
        var uris = new List<DmarcReportUri>();
        foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bang = item.LastIndexOf('!');
            var uri = bang < 0 ? item : item[..bang];
            long? limit = null;
            if (bang >= 0)
            {
                var size = item[(bang + 1)..].ToLowerInvariant();
                var unit = size.Length > 0 && char.IsLetter(size[^1]) ? size[^1] : ' ';
                var digits = unit == ' ' ? size : size[..^1];
                var factor = unit switch { ' ' => 1L, 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, 't' => 1L << 40, _ => 0L };
                if (factor == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
                {
                    warnings.Add($"{tag}: \"{item}\" has a bad size limit: dropped");
                    continue;
                }

                limit = amount * factor;
            }

            if (!System.Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || (parsed.Scheme == "mailto" && !uri[7..].Contains('@')))
            {
                warnings.Add($"{tag}: \"{item}\" is not a URI: dropped");
                continue;
            }

            uris.Add(new DmarcReportUri(uri, limit));
        }

        return uris;
    }
}
