using AdminConsole.Core.Import;

namespace AdminConsole.Core.Tests.Import;

public sealed class CsvParserTests
{
    [Fact]
    public void Parses_the_RFC_4180_examples()
    {
        // RFC 4180 section 2, rules 1-7: CRLF records, an optional last CRLF, quoted fields with commas,
        // line breaks and doubled quotes.
        var records = CsvParser.Parse("aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n\"aaa\",\"b,bb\",\"c\"\"cc\"\r\n\"a\r\nb\",x,\r\n");
        Assert.Equal(4, records.Count);
        Assert.Equal(["aaa", "bbb", "ccc"], records[0].Fields);
        Assert.Equal(["aaa", "b,bb", "c\"cc"], records[2].Fields);
        Assert.Equal(["a\r\nb", "x", ""], records[3].Fields);
        Assert.Equal([1, 2, 3, 4], records.Select(r => r.Line));
    }

    [Fact]
    public void Accepts_LF_line_ends_a_byte_order_mark_and_blank_lines_and_counts_lines_across_quoted_breaks()
    {
        var records = CsvParser.Parse("\uFEFFaddress,name\n\n\"x\ny\",2\nlast,3");
        Assert.Equal(["address", "name"], records[0].Fields);
        Assert.Equal(3, records[1].Line);
        Assert.Equal(5, records[2].Line);
    }

    [Theory]
    [InlineData("a,\"unclosed\n", "not closed")]
    [InlineData("a,b\"c\n", "quote inside an unquoted field")]
    public void Malformed_files_are_refused_with_the_line(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => CsvParser.Parse(text));
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("5GiB", 5L << 30)]
    [InlineData("500 MiB", 500L << 20)]
    [InlineData("10G", 10L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("ten", null)]
    [InlineData("-5G", null)]
    [InlineData("0", null)]
    public void Sizes_read_as_people_write_them(string text, long? bytes) => Assert.Equal(bytes, MailboxImport.ParseSize(text));
}
