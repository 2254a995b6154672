using System.Buffers;
using System.Text;
using MailEngine.Smtp;

namespace MailEngine.Tests.Smtp;

/// <summary>The DATA decoder as pure code: RFC 5321 4.5.2 transparency and the smuggling cases.</summary>
public sealed class DataDecoderTests
{
    private static (DataDecoder Decoder, string Output, long Consumed) Decode(string input, long maxBytes = 1_000_000, int maxLine = 1000, int chunk = int.MaxValue)
    {
        var decoder = new DataDecoder(maxBytes, maxLine);
        var sink = new ArrayBufferWriter<byte>();
        var bytes = Encoding.UTF8.GetBytes(input);
        // Feed the bytes in pieces, as the network delivers them, keeping what was not consumed.
        var pending = new List<byte>();
        long consumed = 0;
        for (var i = 0; i < bytes.Length && !decoder.Completed && decoder.Error != DataError.BareLineEnding; i += chunk)
        {
            pending.AddRange(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)).ToArray());
            var sequence = new ReadOnlySequence<byte>(pending.ToArray());
            var position = decoder.Decode(sequence, sink);
            var used = sequence.Slice(0, position).Length;
            consumed += used;
            pending.RemoveRange(0, (int)used);
        }

        return (decoder, Encoding.UTF8.GetString(sink.WrittenSpan), consumed);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1024)]
    public void Dot_stuffed_lines_are_unstuffed_and_the_end_marker_ends_the_message(int chunk)
    {
        var (decoder, output, _) = Decode("Subject: x\r\n\r\n..leading dot\r\n.\r\nNOOP\r\n", chunk: chunk);
        Assert.True(decoder.Completed);
        Assert.Equal(DataError.None, decoder.Error);
        Assert.Equal("Subject: x\r\n\r\n.leading dot\r\n", output);
    }

    [Fact]
    public void Only_what_precedes_the_end_marker_is_consumed()
    {
        var (_, _, consumed) = Decode("a\r\n.\r\nQUIT\r\n");
        Assert.Equal("a\r\n.\r\n".Length, consumed);
    }

    [Theory]
    [InlineData("a\n.\r\n")]
    [InlineData("a\r\n.\n")]
    [InlineData("a\rb\r\n.\r\n")]
    [InlineData("a\r\n\n.\n\r\n.\r\n")]
    public void Bare_LF_or_CR_stops_decoding(string input)
    {
        var (decoder, _, _) = Decode(input);
        Assert.Equal(DataError.BareLineEnding, decoder.Error);
        Assert.False(decoder.Completed);
    }

    [Fact]
    public void A_message_over_the_size_limit_is_read_to_its_end_but_not_written()
    {
        var (decoder, output, _) = Decode("0123456789\r\n0123456789\r\n.\r\n", maxBytes: 15);
        Assert.True(decoder.Completed);
        Assert.Equal(DataError.TooLarge, decoder.Error);
        Assert.Equal("0123456789\r\n", output);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(7)]
    public void An_overlong_line_is_refused_but_the_message_end_is_still_found(int chunk)
    {
        var (decoder, _, _) = Decode($"ok\r\n{new string('x', 50)}\r\nafter\r\n.\r\n", maxLine: 20, chunk: chunk);
        Assert.True(decoder.Completed);
        Assert.Equal(DataError.LineTooLong, decoder.Error);
    }

    [Fact]
    public void An_empty_message_is_allowed()
    {
        var (decoder, output, _) = Decode(".\r\n");
        Assert.True(decoder.Completed);
        Assert.Equal("", output);
        Assert.Equal(0, decoder.MessageBytes);
    }
}
