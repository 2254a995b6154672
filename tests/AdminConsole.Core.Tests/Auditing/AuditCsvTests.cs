using AdminConsole.Core.Audit;
using AdminConsole.Core.Import;

namespace AdminConsole.Core.Tests.Auditing;

/// <summary>The audit CSV export: RFC 4180 quoting, and cells a spreadsheet would run as formulas defused.</summary>
public sealed class AuditCsvTests
{
    private static async Task<IReadOnlyList<CsvParser.Record>> WriteAndReadAsync(params AuditEntry[] entries)
    {
        using var output = new MemoryStream();
        await AuditCsv.WriteAsync(entries.ToAsyncEnumerable(), output);
        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.False(text.StartsWith('\uFEFF'));
        return CsvParser.Parse(text);
    }

    [Fact]
    public async Task Each_record_is_a_row_under_the_header_with_quotes_commas_and_newlines_kept()
    {
        var at = new DateTimeOffset(2026, 12, 2, 9, 30, 5, 123, TimeSpan.FromHours(1));
        var rows = await WriteAndReadAsync(new AuditEntry(7, at, "admin:alice@example.com", "domain.updated", "domain:example.com",
            """{"before":{"Description":"a, \"quoted\"\nline"}}""", "127.0.0.1"));
        Assert.Equal(AuditCsv.Columns, rows[0].Fields);
        Assert.Equal(["7", "2026-12-02T08:30:05.123Z", "admin:alice@example.com", "127.0.0.1", "domain.updated", "domain:example.com",
            """{"before":{"Description":"a, \"quoted\"\nline"}}"""], rows[1].Fields);
        Assert.Equal(2, rows.Count);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\")")]
    [InlineData("+1+1")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1)")]
    [InlineData("\t=1")]
    public async Task A_cell_that_starts_like_a_formula_is_prefixed_with_an_apostrophe(string typed)
    {
        var rows = await WriteAndReadAsync(new AuditEntry(1, DateTimeOffset.UnixEpoch, typed, "signin.failed", typed, null, null));
        Assert.Equal("'" + typed, rows[1].Fields[2]);
        Assert.Equal("'" + typed, rows[1].Fields[5]);
        Assert.Equal("", rows[1].Fields[6]); // no details: an empty cell
    }

    [Fact]
    public async Task No_records_is_the_header_alone() =>
        Assert.Single(await WriteAndReadAsync());
}
