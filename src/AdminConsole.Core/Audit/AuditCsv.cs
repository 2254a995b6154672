using System.Globalization;
using CsvHelper;

namespace AdminConsole.Core.Audit;

/// <summary>
/// The audit log as CSV (RFC 4180, written by CsvHelper) for spreadsheets and archives. A cell that
/// starts with = + - @, a tab or a carriage return gets an apostrophe in front: actors, objects and
/// details carry text that others typed, and a spreadsheet would run such a cell as a formula
/// (OWASP "CSV injection").
/// </summary>
public static class AuditCsv
{
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Injection = CsvInjection.Escape, NewLine = "\r\n" };

    public static readonly string[] Columns = ["id", "at", "actor", "remoteAddress", "action", "target", "details"];

    /// <summary>Writes the header and one row per entry to <paramref name="output"/> (UTF-8, no byte order mark), asynchronously throughout.</summary>
    public static async Task WriteAsync(IAsyncEnumerable<AuditEntry> entries, Stream output, CancellationToken ct = default)
    {
        await using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        await csv.WriteRecordAsync(Columns, ct);
        await foreach (var e in entries.WithCancellation(ct))
        {
            await csv.WriteRecordAsync([
                e.Id.ToString(CultureInfo.InvariantCulture),
                e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                e.Actor, e.RemoteAddress, e.Action, e.Target, e.Details,
            ], ct);
        }
    }
}
