using System.Globalization;

namespace AdminConsole.Web.Components.Forms;

/// <summary>Binary sizes as people type and read them on the console's pages (GiB/MiB), bytes everywhere else.</summary>
public static class Sizes
{
    public const long MiB = 1L << 20;
    public const long GiB = 1L << 30;

    public static string Format(long bytes) => bytes switch
    {
        >= GiB => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)GiB:0.##} GiB"),
        >= MiB => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)MiB:0.##} MiB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.##} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    public static double Percent(long used, long quota) => quota <= 0 ? 0 : Math.Min(100, Math.Round(used * 100.0 / quota, 1));
}
