using System.Net;
using System.Net.Sockets;

namespace MailEngine.Hosting;

/// <summary>
/// Accepts connections on one address and runs a session for each (SMTP or IMAP), independently of
/// the others: a failing session never stops the accept loop. Disposal stops accepting, cancels the
/// sessions and gives them ten seconds to say goodbye.
/// </summary>
public sealed class ConnectionListener : IAsyncDisposable
{
    private readonly Func<Socket, CancellationToken, Task> _session;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly HashSet<Task> _sessions = [];
    private readonly Lock _gate = new();

    public ConnectionListener(IPEndPoint endpoint, Func<Socket, CancellationToken, Task> session)
    {
        _session = session;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(512);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
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
            var session = Task.Run(() => _session(client, _stop.Token));
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
