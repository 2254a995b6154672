using System.Buffers;
using System.Globalization;
using System.Text;

namespace MailEngine.Imap.Protocol;

/// <summary>
/// Buffers responses and writes them to the connection in large blocks: FETCH of 10,000 envelopes
/// is one stream of writes, not 10,000 flushes. Strings are quoted when they can be and sent as
/// literals when they cannot (CR, LF, NUL, 8-bit text to a client that has not enabled UTF-8, or
/// long text), as RFC 3501 4.3 requires.
/// </summary>
public sealed class ImapWriter(Func<Stream> stream, int initialCapacity = 8 * 1024)
{
    private const int FlushThreshold = 64 * 1024;

    // Small to start: a writer per session, and one per message while its envelope is cached. A
    // large initial buffer would land on the large object heap every time.
    private readonly ArrayBufferWriter<byte> _buffer = new(initialCapacity);

    /// <summary>Whether the client enabled UTF8=ACCEPT (RFC 6855): 8-bit text may then be quoted.</summary>
    public bool Utf8Accepted { get; set; }

    public ImapWriter Append(string text)
    {
        var span = _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _buffer.Advance(Encoding.UTF8.GetBytes(text, span));
        return this;
    }

    public ImapWriter Append(char c)
    {
        _buffer.GetSpan(1)[0] = (byte)c;
        _buffer.Advance(1);
        return this;
    }

    public ImapWriter Append(long number)
    {
        var span = _buffer.GetSpan(20);
        number.TryFormat(span, out var written, provider: CultureInfo.InvariantCulture);
        _buffer.Advance(written);
        return this;
    }

    public ImapWriter Append(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>An nstring: NIL for null, else a string.</summary>
    public ImapWriter NString(string? value) => value is null ? Append("NIL") : String(value);

    /// <summary>A string, quoted if it may be and a literal otherwise.</summary>
    public ImapWriter String(string value)
    {
        if (CanQuote(value))
        {
            var escaped = value.Contains('"') || value.Contains('\\') ? value.Replace("\\", "\\\\").Replace("\"", "\\\"") : value;
            return Append('"').Append(escaped).Append('"');
        }

        return Literal(Encoding.UTF8.GetBytes(value));
    }

    public ImapWriter Literal(ReadOnlySpan<byte> bytes)
    {
        Append('{').Append(bytes.Length).Append("}\r\n");
        return Append(bytes);
    }

    /// <summary>
    /// A literal that may be large (a message body): past a few kilobytes it goes to the connection
    /// directly after what is buffered, instead of growing the buffer to the size of the message.
    /// </summary>
    public async ValueTask LiteralAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        if (bytes.Length < 16 * 1024)
        {
            Literal(bytes.Span);
            return;
        }

        Append('{').Append(bytes.Length).Append("}\r\n");
        await FlushAsync(ct);
        var target = stream();
        await target.WriteAsync(bytes, CancellationToken.None); // never cut short: see FlushAsync
        _atLineStart = false; // a literal is followed by the rest of its response
    }

    private bool CanQuote(string value)
    {
        if (value.Length > 1024) return false;
        foreach (var c in value)
        {
            if (c is '\r' or '\n' or '\0') return false;
            if (c >= 0x80 && !Utf8Accepted) return false;
            if (char.IsSurrogate(c)) return false;
        }

        return true;
    }

    /// <summary>Writes what is buffered when there is a lot of it; call <see cref="FlushAsync"/> at the end of a response.</summary>
    public ValueTask MaybeFlushAsync(CancellationToken ct) => _buffer.WrittenCount >= FlushThreshold ? FlushAsync(ct) : ValueTask.CompletedTask;

    /// <summary>
    /// Writes what is buffered. Writes are never cancelled (<paramref name="ct"/>, the server stopping,
    /// is for the reads): a write cut short leaves half a TLS record on the wire, and the client reads
    /// "bad record mac" instead of the BYE that follows; a response half sent leaves a BYE in the middle
    /// of a line. So a response in flight is finished, the session stops between commands, and the
    /// listener's grace period bounds how long that may take at shutdown.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken ct)
    {
        _ = ct;
        if (_buffer.WrittenCount == 0) return;
        var target = stream();
        var last = _buffer.WrittenSpan[^1];
        await target.WriteAsync(_buffer.WrittenMemory, CancellationToken.None);
        await target.FlushAsync(CancellationToken.None);
        _atLineStart = last == (byte)'\n';
        _buffer.ResetWrittenCount();
    }

    private bool _atLineStart = true;

    /// <summary>Whether what was written so far ends with a whole line (a BYE after a failure must start on its own line).</summary>
    public bool AtLineStart => _atLineStart;

    /// <summary>Takes what is buffered (for caching a rendered value) and empties the buffer.</summary>
    public byte[] ToArray()
    {
        var bytes = _buffer.WrittenSpan.ToArray();
        _buffer.ResetWrittenCount();
        return bytes;
    }

    /// <summary>Drops what is buffered (after STARTTLS nothing from before may be sent).</summary>
    public void Discard() => _buffer.ResetWrittenCount();
}
