using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace MailEngine.Hosting;

/// <summary>
/// Accepts connections on one address and runs a session for each (SMTP or IMAP), independently of
/// the others: a failing session never stops the accept loop. At most so many connections are open
/// at once, in all and from one client address (<see cref="ConnectionLimits"/>); one past either
/// gets the listener's refusal line (421 4.7.0 or * BYE) and is closed, while the others go on.
/// Accept errors (EMFILE at the descriptor limit) back off instead of spinning. Disposal stops
/// accepting, cancels the sessions and gives them ten seconds to say goodbye.
/// </summary>
public sealed class ConnectionListener : IAsyncDisposable
{
    private readonly Func<Socket, CancellationToken, Task> _session;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly HashSet<Task> _sessions = [];
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Lock _gate = new();
    private readonly ConnectionLimits _limits;
    private readonly ConnectionBudget _budget;
    private readonly byte[] _refusal;
    private readonly Action<string> _refused;
    private readonly ILogger? _logger;
    private int _open;

    /// <param name="refusal">The line a connection past the limits gets before it is closed.</param>
    /// <param name="refused">Told the reason ("listener-full", "address-full") of each refusal, for the counters.</param>
    /// <param name="budget">The bound over all listeners (kept under the descriptor limit), shared by the engine's listeners.</param>
    public ConnectionListener(IPEndPoint endpoint, Func<Socket, CancellationToken, Task> session, ConnectionLimits? limits = null,
        byte[]? refusal = null, Action<string>? refused = null, ILogger? logger = null, ConnectionBudget? budget = null)
    {
        _session = session;
        _limits = limits ?? new ConnectionLimits();
        _budget = budget ?? new ConnectionBudget(_limits.MaxTotal);
        _refusal = refusal ?? [];
        _refused = refused ?? (_ => { });
        _logger = logger;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // SO_REUSEADDR only, so that a restart binds while old connections sit in TIME_WAIT. .NET's
        // ReuseAddress option also sets SO_REUSEPORT on Linux, which let a second engine bind the same
        // port and silently take a share of the connections.
        if (OperatingSystem.IsLinux()) _socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        try
        {
            _socket.Bind(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            _socket.Dispose();
            throw new InvalidOperationException($"{endpoint} is already in use by another process", e);
        }

        _socket.Listen(512);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    public IPEndPoint EndPoint { get; }

    private async Task AcceptLoopAsync()
    {
        var backoff = TimeSpan.Zero;
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token);
                backoff = TimeSpan.Zero;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                // Out of descriptors (or memory): retrying at once only spins. Wait, up to a second.
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.TicksPerSecond));
                _logger?.LogWarning("Accepting on {EndPoint} failed ({Reason}); retrying in {Delay} ms", EndPoint, e.Message, backoff.TotalMilliseconds);
                try
                {
                    await Task.Delay(backoff, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            var address = ((IPEndPoint)client.RemoteEndPoint!).Address;
            if (!TryAdmit(address, out var reason))
            {
                _refused(reason);
                _ = RefuseAsync(client);
                continue;
            }

            client.NoDelay = true;
            var session = Task.Run(() => _session(client, _stop.Token));
            lock (_gate) _sessions.Add(session);
            _ = session.ContinueWith(t =>
            {
                lock (_gate)
                {
                    _sessions.Remove(t);
                    Release(address);
                }
            }, TaskScheduler.Default);
        }
    }

    private bool TryAdmit(IPAddress address, out string reason)
    {
        lock (_gate)
        {
            _perAddress.TryGetValue(address, out var fromAddress);
            reason = _open >= _limits.MaxPerListener ? "listener-full" : fromAddress >= _limits.MaxPerAddress ? "address-full" : "";
            if (reason.Length == 0 && !_budget.TryTake()) reason = "engine-full";
            if (reason.Length > 0) return false;
            _perAddress[address] = fromAddress + 1;
            _open++;
            return true;
        }
    }

    private void Release(IPAddress address)
    {
        _open--;
        _budget.Release();
        if (_perAddress.TryGetValue(address, out var count) && count > 1) _perAddress[address] = count - 1;
        else _perAddress.Remove(address);
    }

    /// <summary>The refusal line, then close; a client that does not read it does not hold anything up.</summary>
    private async Task RefuseAsync(Socket client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (_refusal.Length > 0) await client.SendAsync(_refusal, SocketFlags.None, timeout.Token);
            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
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
