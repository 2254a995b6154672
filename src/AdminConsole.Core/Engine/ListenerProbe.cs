using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace AdminConsole.Core.Engine;

/// <summary>
/// Connects to every listener every engine node reports, as a client would, and reads its greeting:
/// SMTP's "220" (RFC 5321 §4.2), IMAP's "* OK" (RFC 9051 §7.1.1); the implicit-TLS ones (submissions,
/// imaps) after a TLS handshake. What the Health page's "Probe the listeners" shows: a port that
/// accepts but never greets, or greets "421"/"* BYE", is as good as closed for mail.
/// </summary>
public sealed class ListenerProbe(EngineNodes nodes)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <param name="Greeting">The first line the listener sent (or null).</param>
    /// <param name="Tls">The TLS version agreed, for implicit-TLS listeners.</param>
    public sealed record Result(string Node, string Listener, string Endpoint, bool Answered, string? Greeting, string? Tls, double Milliseconds, string? Error);

    public async Task<IReadOnlyList<Result>> ProbeAsync(CancellationToken ct)
    {
        var probes = new List<Task<Result>>();
        foreach (var state in nodes.States)
        foreach (var (name, endpoint) in state.Status?.Listeners ?? new Dictionary<string, string>())
            probes.Add(ProbeAsync(state.Name, state.Url, name, endpoint, ct));
        return await Task.WhenAll(probes);
    }

    private static async Task<Result> ProbeAsync(string node, string? nodeUrl, string listener, string endpoint, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        double Elapsed() => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
        if (!IPEndPoint.TryParse(endpoint, out var address)) return new(node, listener, endpoint, false, null, null, 0, "the node reports no address for it");
        // A listener on every address is reached where its node is: loopback here, the node's host there.
        if (address.Address.Equals(IPAddress.Any) || address.Address.Equals(IPAddress.IPv6Any))
        {
            var host = nodeUrl is not null && Uri.TryCreate(nodeUrl, UriKind.Absolute, out var url) && IPAddress.TryParse(url.Host, out var ip) ? ip : IPAddress.Loopback;
            address = new IPEndPoint(host, address.Port);
        }

        var implicitTls = listener is "submissions" or "imaps";
        var imap = listener.StartsWith("imap", StringComparison.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            using var tcp = new TcpClient(address.AddressFamily);
            await tcp.ConnectAsync(address, timeout.Token);
            Stream stream = tcp.GetStream();
            string? tls = null;
            if (implicitTls)
            {
                // Our own listener: its certificate may be the self-signed fallback; the Certificates page judges it.
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
                tls = ssl.SslProtocol.ToString();
                stream = ssl;
            }

            var line = await ReadLineAsync(stream, timeout.Token);
            var greets = imap ? line?.StartsWith("* OK", StringComparison.Ordinal) == true : line?.StartsWith("220", StringComparison.Ordinal) == true;
            // Leave as a client does, so the listener logs a goodbye rather than a dropped connection.
            if (greets) await stream.WriteAsync(Encoding.ASCII.GetBytes(imap ? "p LOGOUT\r\n" : "QUIT\r\n"), timeout.Token);
            return new(node, listener, address.ToString(), greets, line, tls, Elapsed(), greets ? null : line is null ? "it closed without a greeting" : "it greeted with a refusal");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(node, listener, address.ToString(), false, null, null, Elapsed(), $"no greeting within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return new(node, listener, address.ToString(), false, null, null, Elapsed(), e.Message);
        }
    }

    private static async Task<string?> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 512 && await stream.ReadAsync(one, ct) == 1)
        {
            if (one[0] == '\n') return Encoding.ASCII.GetString([.. bytes]).TrimEnd('\r');
            bytes.Add(one[0]);
        }

        return bytes.Count == 0 ? null : Encoding.ASCII.GetString([.. bytes]);
    }
}
