using System.Text.Json;
using MailEngine.Contracts;

namespace MailEngine.Reports;

/// <summary>
/// The reports this node received, one JSON file each under the state folder ("reports-in"), until
/// the console has had them for <see cref="KeptDays"/> days: the console asks for those since the
/// last one it has, so a console that was down catches up.
/// </summary>
public sealed class ReceivedReportStore(string directory)
{
    public const int KeptDays = 30;

    public void Add(ReceivedReport report)
    {
        Directory.CreateDirectory(directory);
        Storage.DurableFile.WriteAllBytes(Path.Combine(directory, $"{report.ReceivedAt.UtcDateTime:yyyyMMddHHmmssfff}-{report.Id}.json"), JsonSerializer.SerializeToUtf8Bytes(report, JsonSerializerOptions.Web));
        foreach (var old in Directory.EnumerateFiles(directory, "*.json").Where(f => File.GetLastWriteTimeUtc(f) < DateTime.UtcNow.AddDays(-KeptDays)).ToList()) File.Delete(old);
    }

    /// <summary>The reports received after <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<ReceivedReport> Since(DateTimeOffset since)
    {
        if (!Directory.Exists(directory)) return [];
        var reports = new List<ReceivedReport>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                if (JsonSerializer.Deserialize<ReceivedReport>(File.ReadAllBytes(file), JsonSerializerOptions.Web) is { } report && report.ReceivedAt > since) reports.Add(report);
            }
            catch (JsonException)
            {
            }
        }

        return reports;
    }
}
