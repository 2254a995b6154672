using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using MailEngine.Control;
using MailEngine.Tls;
using Microsoft.Extensions.Logging;

namespace MailEngine.Hosting;

/// <summary>One line of a line protocol, without its CRLF (a bare LF ends a line too).</summary>
/// <param name="Overlong">Longer than the limit: consumed to its end, its bytes dropped.</param>
/// <param name="Woken">The read was woken on purpose (IMAP IDLE news), no line came.</param>
public sealed record ClientLine(byte[] Bytes, bool Overlong, bool Woken = false);

/// <summary>
/// The client side of one SMTP or IMAP connection, shared by both servers: the stream (plain, then TLS
/// after STARTTLS or at once for implicit TLS), the pipe reading it, reads bounded by the session's
/// <see cref="SessionDeadline"/>, and line reading with a byte limit (an overlong line is drained, not
/// held in memory).
/// </summary>
public sealed class ClientConnection(Stream stream, SessionDeadline deadline)
{
    public Stream Stream { get; private set; } = stream;

    /// <summary>The pipe over <see cref="Stream"/>: for what is not line-based (DATA, literals).</summary>
    public PipeReader Reader { get; private set; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));

    public bool Tls { get; private set; }

    /// <summary>
    /// Reads what has arrived, waiting at most until <paramref name="until"/> (else a
    /// <see cref="SessionTimeoutException"/>). A read woken by <see cref="Wake"/> returns IsCanceled when
    /// <paramref name="wakeable"/> says the session wants it, and is resumed otherwise.
    /// </summary>
    public async ValueTask<ReadResult> ReadAsync(DateTimeOffset until, CancellationToken ct, Func<bool>? wakeable = null)
    {
        using var timer = deadline.For(until, ct);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await Reader.ReadAsync(timer.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new SessionTimeoutException();
            }

            // A wake-up that comes when the session no longer waits for one (IDLE ended) is ignored.
            if (result.IsCanceled && wakeable?.Invoke() != true) continue;
            return result;
        }
    }

    /// <summary>
    /// One line of at most <paramref name="limit"/> bytes, all of it before <paramref name="until"/>
    /// (a byte every few minutes does not reset it); null when the client closed the connection.
    /// </summary>
    public async ValueTask<ClientLine?> ReadLineAsync(int limit, DateTimeOffset until, CancellationToken ct, Func<bool>? wakeable = null)
    {
        var overlong = false;
        while (true)
        {
            var result = await ReadAsync(until, ct, wakeable);
            if (result.IsCanceled) return new ClientLine([], false, Woken: true);
            var buffer = result.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } lf)
            {
                var lineBuffer = buffer.Slice(0, lf);
                var tooLong = overlong || lineBuffer.Length > limit;
                // Copied before AdvanceTo: the buffer belongs to the pipe again after it.
                var bytes = tooLong ? [] : lineBuffer.ToArray();
                Reader.AdvanceTo(buffer.GetPosition(1, lf));
                if (!tooLong && bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
                return new ClientLine(bytes, tooLong);
            }

            if (buffer.Length > limit)
            {
                // Drop what is buffered of an overlong line instead of holding it in memory.
                overlong = true;
                Reader.AdvanceTo(buffer.End);
                continue;
            }

            Reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return null;
        }
    }

    /// <summary>Wakes a pending read (IMAP IDLE: a folder changed).</summary>
    public void Wake() => Reader.CancelPendingRead();

    /// <summary>
    /// The TLS handshake (RFC 3207 STARTTLS, RFC 3501 6.2.1, RFC 8314 implicit TLS) and the switch to the
    /// encrypted stream; false when the handshake failed (the caller closes). Anything the client
    /// pipelined before the handshake is discarded, never read as if it had come over TLS (the STARTTLS
    /// command injection of CVE-2011-0411).
    /// </summary>
    public async ValueTask<bool> StartTlsAsync(EngineSnapshotStore snapshots, CertificateProvider certificates, TimeSpan handshakeTimeout, IPEndPoint remote, ILogger logger, CancellationToken ct)
    {
        var ssl = await ServerTls.AuthenticateAsync(Stream, snapshots, certificates, handshakeTimeout, remote, logger, ct);
        if (ssl is null) return false;
        await Reader.CompleteAsync();
        Stream = ssl;
        Reader = PipeReader.Create(Stream, new StreamPipeReaderOptions(leaveOpen: true));
        Tls = true;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await Reader.CompleteAsync();
        await Stream.DisposeAsync();
    }
}
