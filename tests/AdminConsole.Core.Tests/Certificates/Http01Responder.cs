using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AdminConsole.Core.Tests.Certificates;

/// <summary>
/// The web server an HTTP-01 validator reaches (RFC 8555 §8.3): GET /.well-known/acme-challenge/{token}
/// answers the key authorization given for that token, 404 otherwise. A plain listener on 127.0.0.1,
/// so the ACME client is tested without the console (the console's own endpoint has its test there).
/// </summary>
public sealed class Http01Responder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Http01Responder()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The paths the validator asked for, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public void Answer(string token, string keyAuthorization) => _answers[token] = keyAuthorization;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                var requestLine = await reader.ReadLineAsync(_stop.Token) ?? "";
                while (await reader.ReadLineAsync(_stop.Token) is { Length: > 0 })
                {
                }

                var path = requestLine.Split(' ') is [_, var p, ..] ? p : "";
                Requests.Enqueue(path);
                const string prefix = "/.well-known/acme-challenge/";
                var found = path.StartsWith(prefix, StringComparison.Ordinal) && _answers.TryGetValue(path[prefix.Length..], out var answer) ? answer : null;
                var body = Encoding.ASCII.GetBytes(found ?? "not found");
                var head = $"HTTP/1.1 {(found is null ? "404 Not Found" : "200 OK")}\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
