using System.Buffers;
using System.Text;
using System.Text.Json;
using MailEngine.Storage;

namespace MailEngine.Queue;

/// <summary>
/// The durable queue on disk. A message is received into tmp/ and moved into queue/ only once the
/// envelope and every byte are fsync'ed, and queue/ itself is fsync'ed after the rename: that is
/// the moment "250" may be sent. A file in queue/ is one message:
/// <code>
/// MAILSPOOL1\r\n
/// {envelope as one line of JSON}\r\n
/// raw message bytes (with our Received header first)
/// </code>
/// Recipients already delivered are appended, one per line and fsync'ed, to "&lt;id&gt;.done", so a
/// restart continues where delivery stopped without delivering twice. Header fields added after the
/// message was received (DKIM signatures, RFC 6376) are kept in "&lt;id&gt;.headers" and read above it.
/// </summary>
public sealed class Spool
{
    private static readonly byte[] Magic = "MAILSPOOL1\r\n"u8.ToArray();

    public Spool(string directory)
    {
        Directory = System.IO.Path.GetFullPath(directory);
        TmpDirectory = System.IO.Path.Combine(Directory, "tmp");
        QueueDirectory = System.IO.Path.Combine(Directory, "queue");
        System.IO.Directory.CreateDirectory(TmpDirectory);
        System.IO.Directory.CreateDirectory(QueueDirectory);
        // Leftovers in tmp/ were never acknowledged: the client was not told 250, so they go.
        foreach (var file in System.IO.Directory.EnumerateFiles(TmpDirectory)) File.Delete(file);
        foreach (var suffix in new[] { ".spam", ".headers" })
            foreach (var file in System.IO.Directory.EnumerateFiles(QueueDirectory, "*" + suffix))
                if (!File.Exists(file[..^suffix.Length])) File.Delete(file);
    }

    public string Directory { get; }
    public string TmpDirectory { get; }
    public string QueueDirectory { get; }

    public static string NewQueueId() => Guid.CreateVersion7().ToString("N")[..20].ToUpperInvariant();

    /// <summary>Starts a message in tmp/. Write the message with <see cref="IncomingMessage.Stream"/>, then commit or abandon it.</summary>
    public IncomingMessage Begin(Envelope envelope)
    {
        var path = System.IO.Path.Combine(TmpDirectory, envelope.QueueId);
        var stream = DurableFile.OpenPrivate(path);
        stream.Write(Magic);
        stream.Write(JsonSerializer.SerializeToUtf8Bytes(envelope, JsonSerializerOptions.Web));
        stream.Write("\r\n"u8);
        return new IncomingMessage(this, envelope, path, stream) { MessageStart = stream.Position };
    }

    internal void Commit(IncomingMessage message)
    {
        // The verdicts go first, written and fsync'ed under their final name in queue/: the one fsync of
        // queue/ below makes both names durable, and a crash before it leaves an orphan .spam file at
        // most (removed at start), never a message without its verdict.
        if (message.Spam is { } spam)
        {
            using var verdicts = DurableFile.OpenPrivate(SpamPath(message.Envelope.QueueId));
            verdicts.Write(JsonSerializer.SerializeToUtf8Bytes(spam, JsonSerializerOptions.Web));
            verdicts.Flush(flushToDisk: true);
        }

        if (message.AddedHeaders is { } added)
        {
            using var headers = DurableFile.OpenPrivate(HeadersPath(message.Envelope.QueueId));
            headers.Write(added);
            headers.Flush(flushToDisk: true);
        }

        message.Stream.Flush(flushToDisk: true);
        message.Stream.Dispose();
        DurableFile.MoveDurably(message.TemporaryPath, System.IO.Path.Combine(QueueDirectory, message.Envelope.QueueId), syncSource: false);
    }

    /// <summary>Queue ids waiting for delivery, oldest first.</summary>
    public IEnumerable<string> Pending() =>
        System.IO.Directory.EnumerateFiles(QueueDirectory)
            .Select(System.IO.Path.GetFileName)
            .Where(n => n is not null && !n.Contains('.', StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)!;

    public int Count => Pending().Count();

    /// <summary>Opens a queued message: its envelope and a stream positioned at the first byte of the message (added header fields first).</summary>
    public (Envelope Envelope, Stream Message) Open(string queueId)
    {
        var stream = File.OpenRead(System.IO.Path.Combine(QueueDirectory, queueId));
        try
        {
            Span<byte> magic = stackalloc byte[Magic.Length];
            stream.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic)) throw new InvalidDataException($"{queueId} is not a spool file.");
            var line = new ArrayBufferWriter<byte>();
            int b;
            while ((b = stream.ReadByte()) != '\n')
            {
                if (b < 0) throw new InvalidDataException($"{queueId} ends inside its envelope.");
                if (line.WrittenCount > 1024 * 1024) throw new InvalidDataException($"{queueId} has an oversized envelope.");
                line.GetSpan(1)[0] = (byte)b;
                line.Advance(1);
            }

            var json = line.WrittenSpan.TrimEnd((byte)'\r');
            var envelope = JsonSerializer.Deserialize<Envelope>(json, JsonSerializerOptions.Web) ?? throw new InvalidDataException($"{queueId} has an empty envelope.");
            if (File.Exists(SpamPath(queueId)))
                envelope = envelope with { Spam = JsonSerializer.Deserialize<Dictionary<string, Scanner.SpamVerdict>>(File.ReadAllBytes(SpamPath(queueId)), JsonSerializerOptions.Web) };
            var added = File.Exists(HeadersPath(queueId)) ? File.ReadAllBytes(HeadersPath(queueId)) : [];
            return (envelope, new OffsetStream(stream, stream.Position, added));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public IReadOnlySet<string> Delivered(string queueId)
    {
        var path = DonePath(queueId);
        return File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal) : new HashSet<string>();
    }

    /// <summary>Records that one target has its copy, durably, before the next is attempted.</summary>
    public void MarkDelivered(string queueId, string address)
    {
        using var stream = new FileStream(DonePath(queueId), FileMode.Append, FileAccess.Write, FileShare.None);
        stream.Write(Encoding.UTF8.GetBytes(address + "\n"));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Removes a message whose every target is done (delivered, or bounced to the sender).</summary>
    /// <remarks>
    /// No fsync of queue/ here: a crash that undoes the deletions brings the message back with its
    /// .done list, and the targets on it are not delivered again; at worst (a single target, which
    /// is not listed) the one copy arrives twice, as Postfix's at-least-once delivery allows. Nothing
    /// acknowledged can be lost by it.
    /// </remarks>
    public void Complete(string queueId)
    {
        File.Delete(System.IO.Path.Combine(QueueDirectory, queueId));
        File.Delete(DonePath(queueId));
        File.Delete(SpamPath(queueId));
        File.Delete(HeadersPath(queueId));
    }

    private string DonePath(string queueId) => System.IO.Path.Combine(QueueDirectory, queueId + ".done");
    private string SpamPath(string queueId) => System.IO.Path.Combine(QueueDirectory, queueId + ".spam");

    private string HeadersPath(string queueId) => System.IO.Path.Combine(QueueDirectory, queueId + ".headers");

    /// <summary>
    /// A read-only view of the message as delivered: the added header fields (<paramref name="prefix"/>,
    /// often none), then the spool file from <paramref name="offset"/> on, so readers see only the message.
    /// </summary>
    private sealed class OffsetStream(Stream inner, long offset, byte[] prefix) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => prefix.Length + inner.Length - offset;

        public override long Position
        {
            get => _position;
            set
            {
                ArgumentOutOfRangeException.ThrowIfNegative(value);
                _position = value;
                if (value >= prefix.Length) inner.Position = offset + value - prefix.Length;
            }
        }

        public override int Read(byte[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<byte> buffer)
        {
            int read;
            if (_position < prefix.Length)
            {
                read = Math.Min(buffer.Length, prefix.Length - (int)_position);
                prefix.AsSpan((int)_position, read).CopyTo(buffer);
                if (_position + read == prefix.Length) inner.Position = offset;
            }
            else
            {
                read = inner.Read(buffer);
            }

            _position += read;
            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < prefix.Length) return ValueTask.FromResult(Read(buffer.Span));
            return ReadInnerAsync(buffer, cancellationToken);
        }

        private async ValueTask<int> ReadInnerAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _position += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int index, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(index, count), cancellationToken).AsTask();

        public override long Seek(long position, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => position,
                SeekOrigin.Current => _position + position,
                _ => Length + position,
            };
            return _position;
        }

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int index, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>A message being received: written to tmp/, then committed (durably queued) or abandoned (deleted).</summary>
public sealed class IncomingMessage : IDisposable
{
    private readonly Spool _spool;
    private bool _done;

    internal IncomingMessage(Spool spool, Envelope envelope, string temporaryPath, FileStream stream)
    {
        _spool = spool;
        Envelope = envelope;
        TemporaryPath = temporaryPath;
        Stream = stream;
    }

    public Envelope Envelope { get; }
    public FileStream Stream { get; }

    /// <summary>Header fields to deliver above the message (its DKIM signatures), stored with it at commit.</summary>
    public byte[]? AddedHeaders { get; set; }

    /// <summary>The spam verdicts by recipient domain, stored with the message at commit.</summary>
    public IReadOnlyDictionary<string, Scanner.SpamVerdict>? Spam { get; set; }

    /// <summary>Where the message starts in the file (after the magic and the envelope line).</summary>
    public long MessageStart { get; init; }
    internal string TemporaryPath { get; }

    /// <summary>How much of the header section <see cref="RemoveHeaderFields"/> reads: fields past it are left as they are.</summary>
    public const int MaxHeaderScan = 1024 * 1024;

    /// <summary>
    /// Removes the header fields <paramref name="remove"/> picks (by name and unfolded value) from the
    /// message being received, before commit: the rest of the file moves up in place. For the rare field
    /// that must not reach the mailbox (an Authentication-Results claiming our name, RFC 8601 §5).
    /// </summary>
    /// <returns>How many fields were removed.</returns>
    public int RemoveHeaderFields(Func<string, string, bool> remove)
    {
        Stream.Flush();
        using var read = new FileStream(TemporaryPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) { Position = MessageStart };
        var head = new byte[(int)Math.Min(MaxHeaderScan, read.Length - MessageStart)];
        read.ReadExactly(head);
        var cuts = new List<(int Start, int End)>();
        var at = 0;
        while (at < head.Length)
        {
            var end = NextLine(head, at);
            if (end < 0 || end - at <= 2 && (head[at] == '\r' || head[at] == '\n')) break; // the blank line: the body follows
            // A field is its first line and the lines that begin with white space (RFC 5322 §2.2.3).
            var fieldEnd = end;
            while (fieldEnd < head.Length && (head[fieldEnd] == ' ' || head[fieldEnd] == '\t'))
            {
                var next = NextLine(head, fieldEnd);
                if (next < 0) break;
                fieldEnd = next;
            }

            // A field that may go on past what was read is left alone, and so is everything after it.
            if (fieldEnd == head.Length && head.Length == MaxHeaderScan) break;

            var text = System.Text.Encoding.UTF8.GetString(head, at, fieldEnd - at);
            var colon = text.IndexOf(':');
            if (colon > 0 && remove(text[..colon].Trim(), text[(colon + 1)..].Replace("\r\n", "").Replace("\n", "").Trim())) cuts.Add((at, fieldEnd));
            at = fieldEnd;
        }

        if (cuts.Count == 0) return 0;
        // Move each kept stretch down over the removed ones; writes stay behind the reads.
        var target = MessageStart + cuts[0].Start;
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < cuts.Count; i++)
        {
            var from = MessageStart + cuts[i].End;
            var to = i + 1 < cuts.Count ? MessageStart + cuts[i + 1].Start : read.Length;
            read.Position = from;
            while (from < to)
            {
                var n = read.Read(buffer, 0, (int)Math.Min(buffer.Length, to - from));
                if (n == 0) break;
                Stream.Position = target;
                Stream.Write(buffer, 0, n);
                Stream.Flush();
                from += n;
                target += n;
            }
        }

        Stream.SetLength(target);
        Stream.Position = target;
        return cuts.Count;
    }

    /// <summary>The index after the next line feed from <paramref name="start"/>, or -1 when there is none.</summary>
    private static int NextLine(byte[] bytes, int start)
    {
        var lf = Array.IndexOf(bytes, (byte)'\n', start);
        return lf < 0 ? -1 : lf + 1;
    }

    /// <summary>fsync file, rename into queue/, fsync queue/. Only after this returns may the server answer 250.</summary>
    public void Commit()
    {
        _spool.Commit(this);
        _done = true;
    }

    public void Dispose()
    {
        if (_done) return;
        Stream.Dispose();
        File.Delete(TemporaryPath);
        _done = true;
    }
}
