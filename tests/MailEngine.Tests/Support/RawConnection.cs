using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace MailEngine.Tests.Support;

/// <summary>A line-oriented client connection for byte-level protocol tests (SMTP and IMAP).</summary>
public abstract class RawConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _buffer = [];

    protected RawConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <param name="from">The client's own loopback address (127.0.0.2, ...), for tests of per-address limits.</param>
    protected static async Task<TcpClient> OpenAsync(IPEndPoint endpoint, string? from = null)
    {
        var tcp = from is null ? new TcpClient() : new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        await tcp.ConnectAsync(endpoint);
        return tcp;
    }

    /// <summary>Starts TLS (any certificate: loopback tests); what was buffered before is dropped.</summary>
    public async Task UpgradeAsync()
    {
        var ssl = new SslStream(_stream, false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("localhost");
        _stream = ssl;
        _buffer.Clear();
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>One line without CRLF; null when the server closed the connection.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromMinutes(3);

    public async Task<string?> ReadLineAsync()
    {
        var chunk = new byte[8192];
        while (true)
        {
            var lf = _buffer.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer.GetRange(0, lf).ToArray()).TrimEnd('\r');
                _buffer.RemoveRange(0, lf + 1);
                return line;
            }

            // A guard against a hang, not a deadline: longer than any wait the engine bounds itself (the end of
            // DATA waits up to Scanner.ReadyTimeout, 2 minutes, for the rules to compile), so on a loaded
            // machine the engine's own answer (250, or 451 when the rules are still not ready) comes first.
            using var timeout = new CancellationTokenSource(ReadTimeout);
            int read;
            try
            {
                read = await _stream.ReadAsync(chunk, timeout.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0) return null;
            _buffer.AddRange(chunk.AsSpan(0, read).ToArray());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
        GC.SuppressFinalize(this);
    }
}
