namespace MailEngine.Contracts;

/// <summary>The scanner's three tiers (issue #7): Hyperscan for this CPU, Hyperscan for the SSSE3 baseline, managed regular expressions.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ScannerTier>))]
public enum ScannerTier
{
    Native,
    Ssse3Baseline,
    Managed,
}

/// <summary>The tiers' names in the API, the console and adminctl ("native", "ssse3", "managed").</summary>
public static class ScannerTierName
{
    public static string Of(ScannerTier tier) => tier switch
    {
        ScannerTier.Native => "native",
        ScannerTier.Ssse3Baseline => "ssse3",
        _ => "managed",
    };

    /// <summary>Null for "auto" (or nothing): choose automatically; false when the name is none of the tiers.</summary>
    public static bool TryParse(string? name, out ScannerTier? tier)
    {
        (var known, tier) = name?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => (true, (ScannerTier?)null),
            "native" => (true, ScannerTier.Native),
            "ssse3" or "baseline" or "ssse3baseline" => (true, ScannerTier.Ssse3Baseline),
            "managed" => (true, ScannerTier.Managed),
            _ => (false, null),
        };
        return known;
    }
}
