using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace MailEngine.Tests.Support;

/// <summary>A byte-level SMTP client for what MailKit will not send: bad syntax, bare LF, pipelined injections.</summary>
public sealed class RawSmtpClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _buffer = [];

    private RawSmtpClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawSmtpClient> ConnectAsync(IPEndPoint endpoint, bool implicitTls = false)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        var client = new RawSmtpClient(tcp);
        if (implicitTls) await client.UpgradeAsync();
        return client;
    }

    public async Task UpgradeAsync()
    {
        var ssl = new SslStream(_stream, false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("localhost");
        _stream = ssl;
        _buffer.Clear();
    }

    public Task SendRawAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public async Task<string> CommandAsync(string line)
    {
        await SendRawAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>Reads one whole reply (all its lines); returns "" when the server closed the connection.</summary>
    public async Task<string> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            if (line is null) return string.Join("\n", lines);
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-') return string.Join("\n", lines);
        }
    }

    private async Task<string?> ReadLineAsync()
    {
        var chunk = new byte[4096];
        while (true)
        {
            var lf = _buffer.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer.GetRange(0, lf).ToArray()).TrimEnd('\r');
                _buffer.RemoveRange(0, lf + 1);
                return line;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
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
    }
}
