using System.Buffers;

namespace MailEngine.Smtp;

/// <summary>Why a DATA body was refused.</summary>
public enum DataError
{
    None,

    /// <summary>A LF without CR or a CR without LF: the ambiguity SMTP smuggling exploits (CVE-2023-51764 and relatives).</summary>
    BareLineEnding,

    LineTooLong,
    TooLarge,
}

/// <summary>
/// Decodes a DATA body (RFC 5321 4.1.1.4, 4.5.2): lines end in CRLF, a leading "." is removed
/// (dot-unstuffing), and "." alone on a line ends the message. Pure code over buffers: it takes
/// what the connection read and writes the decoded bytes to a sink. After an error it keeps
/// consuming, without writing, up to the end marker, so the session stays in step with the client,
/// except for a bare line ending, after which no end marker can be trusted.
/// </summary>
public sealed class DataDecoder(long maxMessageBytes, int maxLineBytes)
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    public long MessageBytes { get; private set; }
    public DataError Error { get; private set; }
    public bool Completed { get; private set; }

    /// <summary>
    /// Consumes whole lines from <paramref name="buffer"/> and returns how far it read. Stops at the end
    /// marker (<see cref="Completed"/>), at a bare line ending, or when only a partial line remains.
    /// </summary>
    public SequencePosition Decode(ReadOnlySequence<byte> buffer, IBufferWriter<byte> sink)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (!Completed && Error != DataError.BareLineEnding)
        {
            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
            {
                // No LF yet: a line longer than the limit is refused without buffering it all.
                if (reader.Remaining > maxLineBytes)
                {
                    Fail(DataError.LineTooLong);
                    reader.Advance(reader.Remaining - 1);
                }

                break;
            }

            if (line.Length == 0 || line.Slice(line.Length - 1).FirstSpan[0] != (byte)'\r')
            {
                Error = DataError.BareLineEnding;
                break;
            }

            var content = line.Slice(0, line.Length - 1);
            if (content.PositionOf((byte)'\r') is not null)
            {
                Error = DataError.BareLineEnding;
                break;
            }

            if (content.Length == 1 && content.FirstSpan[0] == (byte)'.')
            {
                Completed = true;
                break;
            }

            if (content.Length > 0 && content.FirstSpan[0] == (byte)'.') content = content.Slice(1);
            if (content.Length + 2 > maxLineBytes) Fail(DataError.LineTooLong);
            MessageBytes += content.Length + 2;
            if (MessageBytes > maxMessageBytes) Fail(DataError.TooLarge);
            if (Error != DataError.None) continue;

            foreach (var segment in content) sink.Write(segment.Span);
            sink.Write(Crlf);
        }

        return reader.Position;
    }

    private void Fail(DataError error)
    {
        if (Error == DataError.None) Error = error;
    }
}
