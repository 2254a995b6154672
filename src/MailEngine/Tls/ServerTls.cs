using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using MailEngine.Control;
using Microsoft.Extensions.Logging;

namespace MailEngine.Tls;

/// <summary>The server side of TLS for SMTP (RFC 3207, RFC 8314) and IMAP (RFC 3501 6.2.1, RFC 8314): TLS 1.2/1.3 only.</summary>
public static class ServerTls
{
    /// <summary>
    /// Wraps <paramref name="inner"/> in TLS with the certificate for the name the client asked for
    /// (RFC 6066 3), else the node's default. Returns null when the handshake fails (logged).
    /// </summary>
    public static async ValueTask<SslStream?> AuthenticateAsync(Stream inner, EngineSnapshotStore snapshots, CertificateProvider certificates,
        TimeSpan timeout, IPEndPoint remote, ILogger logger, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateSelectionCallback = (_, hostName) => snapshots.Current.Certificate(hostName) ?? certificates.Certificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = false,
            }, limit.Token);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            logger.LogInformation("TLS handshake with {Remote} failed: {Reason}", remote, e.Message);
            await ssl.DisposeAsync();
            return null;
        }
    }
}
