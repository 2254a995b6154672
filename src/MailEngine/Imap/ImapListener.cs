using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace MailEngine.Imap;

/// <summary>Accepts IMAP connections on one address (STARTTLS or implicit TLS) and runs a session for each.</summary>
public sealed class ImapListener : IAsyncDisposable
{
    private readonly ImapServices _services;
    private readonly bool _implicitTls;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly HashSet<Task> _sessions = [];
    private readonly Lock _gate = new();

    public ImapListener(ImapServices services, IPEndPoint endpoint, bool implicitTls)
    {
        _services = services;
        _implicitTls = implicitTls;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(512);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
        services.Logger.LogInformation("IMAP{Tls} listening on {EndPoint}", implicitTls ? "S" : string.Empty, EndPoint);
    }

    public IPEndPoint EndPoint { get; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }

            client.NoDelay = true;
            var session = Task.Run(() => new ImapSession(_services, client, _implicitTls).RunAsync(_stop.Token));
            lock (_gate) _sessions.Add(session);
            _ = session.ContinueWith(t => { lock (_gate) _sessions.Remove(t); }, TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _acceptLoop;
        Task[] running;
        lock (_gate) running = [.. _sessions];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}
