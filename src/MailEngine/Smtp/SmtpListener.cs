using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace MailEngine.Smtp;

/// <summary>Accepts connections on one address and runs a session for each, independently of the others.</summary>
public sealed class SmtpListener : IAsyncDisposable
{
    private readonly SmtpServices _services;
    private readonly ListenerKind _kind;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly HashSet<Task> _sessions = [];
    private readonly Lock _gate = new();

    public SmtpListener(SmtpServices services, ListenerKind kind, IPEndPoint endpoint)
    {
        _services = services;
        _kind = kind;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(512);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
        services.Logger.LogInformation("SMTP {Kind} listening on {EndPoint}", kind, EndPoint);
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
            var session = Task.Run(() => new SmtpSession(_services, client, _kind).RunAsync(_stop.Token));
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
