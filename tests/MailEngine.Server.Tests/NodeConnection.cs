using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace MailEngine.Server.Tests;

/// <summary>A raw line client for an engine node's SMTP and IMAP ports: sends what real clients would not.</summary>
public sealed class NodeConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _buffer = [];

    private NodeConnection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<NodeConnection> OpenAsync(int port, string? bind = null)
    {
        var tcp = new TcpClient(new IPEndPoint(bind is null ? IPAddress.Loopback : IPAddress.Parse(bind), 0));
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        return new NodeConnection(tcp);
    }

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

    /// <summary>One line without CRLF; null when the server closed the connection (or sent nothing for a minute).</summary>
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

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            int read;
            try
            {
                read = await _stream.ReadAsync(chunk, timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                return null;
            }

            if (read == 0) return null;
            _buffer.AddRange(chunk.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>Lines up to and including the one starting with the tag (IMAP) or a final SMTP reply line.</summary>
    public async Task<List<string>> ReadUntilAsync(Func<string, bool> last)
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (last(line)) break;
        }

        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
