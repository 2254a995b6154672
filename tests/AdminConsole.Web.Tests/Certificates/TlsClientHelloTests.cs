using System.Buffers;
using System.Net.Security;
using AdminConsole.Web.Features.Certificates;

namespace AdminConsole.Web.Tests.Certificates;

/// <summary>
/// The ClientHello reader of the console's HTTPS, on ClientHellos as .NET's TLS client (OpenSSL) sends
/// them, and on what is not one: a record cut short, another record type, lengths that overrun.
/// </summary>
public sealed class TlsClientHelloTests
{
    /// <summary>The first record a TLS client writes, caught before anything answers it.</summary>
    private static async Task<byte[]> ClientHelloAsync(string? serverName, params string[] protocols)
    {
        var capture = new FirstWrite();
        await using var tls = new SslStream(capture);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = serverName ?? "",
            ApplicationProtocols = protocols.Length == 0 ? null : [.. protocols.Select(p => new SslApplicationProtocol(p))],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        };
        await Assert.ThrowsAnyAsync<Exception>(() => tls.AuthenticateAsClientAsync(options));
        return capture.Bytes ?? throw new InvalidOperationException("the client wrote nothing");
    }

    private sealed class FirstWrite : Stream
    {
        public byte[]? Bytes { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("no server here");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Bytes ??= buffer.AsSpan(offset, count).ToArray();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Bytes ??= buffer.ToArray();
            return ValueTask.CompletedTask;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new IOException("no server here");
    }

    [Fact]
    public async Task The_server_name_and_the_offered_protocols_are_read()
    {
        var hello = TlsClientHello.Parse(new ReadOnlySequence<byte>(await ClientHelloAsync("mail.example.com", "h2", "http/1.1")));
        Assert.NotNull(hello);
        Assert.Equal("mail.example.com", hello.ServerName);
        Assert.Equal(["h2", "http/1.1"], hello.ApplicationProtocols);

        var acme = TlsClientHello.Parse(new ReadOnlySequence<byte>(await ClientHelloAsync("alpn.example.com", "acme-tls/1")));
        Assert.NotNull(acme);
        Assert.Equal("alpn.example.com", acme.ServerName);
        Assert.Equal(["acme-tls/1"], acme.ApplicationProtocols);
    }

    [Fact]
    public async Task A_hello_without_a_server_name_or_protocols_has_none()
    {
        var hello = TlsClientHello.Parse(new ReadOnlySequence<byte>(await ClientHelloAsync(null)));
        Assert.NotNull(hello);
        Assert.Null(hello.ServerName);
        Assert.Empty(hello.ApplicationProtocols);
    }

    [Fact]
    public async Task A_hello_split_over_two_segments_reads_the_same()
    {
        var bytes = await ClientHelloAsync("split.example.com", "acme-tls/1");
        var first = new Segment(bytes.AsMemory(0, 40));
        var last = first.Append(bytes.AsMemory(40));
        var hello = TlsClientHello.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));
        Assert.Equal("split.example.com", hello?.ServerName);
        Assert.Equal(["acme-tls/1"], hello?.ApplicationProtocols);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    [Fact]
    public async Task What_is_not_a_whole_client_hello_is_null()
    {
        var bytes = await ClientHelloAsync("mail.example.com", "acme-tls/1");
        // Cut short anywhere: the lengths promise more than there is.
        foreach (var length in new[] { 0, 5, 9, 20, 60, bytes.Length - 1 })
            Assert.Null(TlsClientHello.Parse(new ReadOnlySequence<byte>(bytes, 0, length)));
        // Not a handshake record (an HTTP request on the HTTPS port), not a ClientHello message.
        Assert.Null(TlsClientHello.Parse(new ReadOnlySequence<byte>("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray())));
        var serverHello = (byte[])bytes.Clone();
        serverHello[5] = 0x02;
        Assert.Null(TlsClientHello.Parse(new ReadOnlySequence<byte>(serverHello)));
        // An extension whose length runs past the extensions.
        var overrun = (byte[])bytes.Clone();
        var extensions = ExtensionsStart(overrun);
        overrun[extensions + 2] = 0xFF;
        overrun[extensions + 3] = 0xFF;
        Assert.Null(TlsClientHello.Parse(new ReadOnlySequence<byte>(overrun)));
    }

    /// <summary>Where the first extension starts (after random, session id, cipher suites, compression methods and the extensions' length).</summary>
    private static int ExtensionsStart(byte[] b)
    {
        var p = 9 + 2 + 32;
        p += 1 + b[p];
        p += 2 + (b[p] << 8 | b[p + 1]);
        p += 1 + b[p];
        return p + 2;
    }
}
