using System.Globalization;

namespace MailEngine.Sieve;

/// <summary>The date parts of RFC 5260 4.3 ("year", "date", "iso8601", "weekday", ...) of a point in time.</summary>
public static class SieveDates
{
    public static readonly IReadOnlySet<string> Parts = new HashSet<string>(StringComparer.Ordinal)
    {
        "year", "month", "day", "date", "julian", "hour", "minute", "second", "time", "iso8601", "std11", "zone", "weekday",
    };

    public static string Part(DateTimeOffset when, string part) => part.ToLowerInvariant() switch
    {
        "year" => when.Year.ToString("D4", CultureInfo.InvariantCulture),
        "month" => when.Month.ToString("D2", CultureInfo.InvariantCulture),
        "day" => when.Day.ToString("D2", CultureInfo.InvariantCulture),
        "date" => when.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        // Modified Julian Day: days since 1858-11-17.
        "julian" => ((long)Math.Floor((when.Date - new DateTime(1858, 11, 17)).TotalDays)).ToString(CultureInfo.InvariantCulture),
        "hour" => when.Hour.ToString("D2", CultureInfo.InvariantCulture),
        "minute" => when.Minute.ToString("D2", CultureInfo.InvariantCulture),
        "second" => when.Second.ToString("D2", CultureInfo.InvariantCulture),
        "time" => when.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        "iso8601" => when.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + Zone(when.Offset, colon: true),
        "std11" => when.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + Zone(when.Offset, colon: false),
        "zone" => Zone(when.Offset, colon: false),
        "weekday" => ((int)when.DayOfWeek).ToString(CultureInfo.InvariantCulture),
        _ => string.Empty,
    };

    private static string Zone(TimeSpan offset, bool colon)
    {
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        var abs = offset.Duration();
        return sign + abs.Hours.ToString("D2", CultureInfo.InvariantCulture) + (colon ? ":" : string.Empty) + abs.Minutes.ToString("D2", CultureInfo.InvariantCulture);
    }

    /// <summary>A :zone argument ("+0100", "-0830") as an offset, or null if it is not one.</summary>
    public static TimeSpan? ParseZone(string zone)
    {
        if (zone.Length != 5 || zone[0] is not ('+' or '-') || !int.TryParse(zone.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h) ||
            !int.TryParse(zone.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m) || h > 23 || m > 59) return null;
        var offset = new TimeSpan(h, m, 0);
        return zone[0] == '-' ? -offset : offset;
    }
}
