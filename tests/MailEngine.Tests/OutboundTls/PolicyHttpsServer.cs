using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MailEngine.Tests.OutboundTls;

/// <summary>
/// The HTTPS host a domain's MTA-STS policy is fetched from (mta-sts.&lt;domain&gt;), on loopback:
/// answers every GET of /.well-known/mta-sts.txt with <see cref="Body"/>, and counts the fetches.
/// </summary>
public sealed class PolicyHttpsServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _fetches;

    public PolicyHttpsServer(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Body { get; set; } = "";

    public string ContentType { get; set; } = "text/plain";

    public int Fetches => Volatile.Read(ref _fetches);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
            var request = new StringBuilder();
            var buffer = new byte[4096];
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await tls.ReadAsync(buffer, _stop.Token);
                if (read == 0) return;
                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            var found = request.ToString().StartsWith("GET /.well-known/mta-sts.txt ", StringComparison.Ordinal);
            if (found) Interlocked.Increment(ref _fetches);
            var body = Encoding.UTF8.GetBytes(found ? Body : "not found");
            var head = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Type: {ContentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            await tls.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
            await tls.WriteAsync(body, _stop.Token);
            await tls.FlushAsync(_stop.Token);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
        {
            // A client that refuses our certificate hangs up during the handshake: that is its answer.
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
