using System.Globalization;

namespace AdminConsole.Web.Components.Forms;

/// <summary>
/// What an &lt;input type="datetime-local"&gt; holds ("2026-12-20T09:00", seconds optional), read and
/// shown as UTC: the server does not know the browser's time zone, so the pages say "(UTC)".
/// </summary>
public static class DateTimeInput
{
    private const string Minutes = "yyyy-MM-ddTHH:mm";

    public static string? Show(DateTimeOffset? at) => at?.UtcDateTime.ToString(Minutes, CultureInfo.InvariantCulture);

    /// <summary>True with null for an empty field, true with the time for a valid one, false otherwise.</summary>
    public static bool TryRead(string? text, out DateTimeOffset? at)
    {
        at = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateTime.TryParseExact(text, [Minutes, Minutes + ":ss"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var utc))
            return false;
        at = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    public const string Hint = "Enter a date and time as YYYY-MM-DDTHH:MM (UTC).";
}
