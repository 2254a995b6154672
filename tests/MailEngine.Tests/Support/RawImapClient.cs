using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace MailEngine.Tests.Support;

/// <summary>A byte-level IMAP client for what MailKit will not send: bad syntax, overlong lines, oversized literals.</summary>
public sealed class RawImapClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly List<byte> _buffer = [];

    private RawImapClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public string Greeting { get; private set; } = string.Empty;

    /// <summary>Connects with implicit TLS (the IMAPS listener) and reads the greeting.</summary>
    public static async Task<RawImapClient> ConnectAsync(IPEndPoint endpoint, bool tls = true)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        var client = new RawImapClient(tcp);
        if (tls)
        {
            var ssl = new SslStream(client._stream, false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync("localhost");
            client._stream = ssl;
        }

        client.Greeting = await client.ReadLineAsync() ?? string.Empty;
        return client;
    }

    public async Task LoginAsync(string user = "alice@example.test")
    {
        var reply = await CommandAsync("L1", $"LOGIN {user} {TestEngine.Password}");
        if (!reply[^1].StartsWith("L1 OK", StringComparison.Ordinal)) throw new InvalidOperationException(string.Join("\n", reply));
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Sends "TAG TEXT" and returns every line up to and including the tagged one.</summary>
    public async Task<List<string>> CommandAsync(string tag, string text)
    {
        await SendAsync($"{tag} {text}\r\n");
        return await ReadUntilTaggedAsync(tag);
    }

    public async Task<List<string>> ReadUntilTaggedAsync(string tag)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            if (line is null) return lines;
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal)) return lines;
        }
    }

    /// <summary>One line; null when the server closed the connection.</summary>
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
