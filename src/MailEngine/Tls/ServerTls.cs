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
    /// (RFC 6066 3); a client that names none (many MTAs) gets the one for the node's host name; else
    /// the node's own. Chosen per handshake from the current snapshot, so a new certificate is used by
    /// the next connection without a restart while sessions under way keep theirs. The intermediates
    /// go along. Returns null when the handshake fails (logged).
    /// </summary>
    public static async ValueTask<SslStream?> AuthenticateAsync(Stream inner, EngineSnapshotStore snapshots, CertificateProvider certificates,
        TimeSpan timeout, IPEndPoint remote, ILogger logger, CancellationToken ct)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsServerAsync((_, hello, _, _) => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = Select(snapshots.Current, certificates, hello.ServerName).Context,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = false,
            }), null, limit.Token);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            logger.LogInformation("TLS handshake with {Remote} failed: {Reason}", remote, e.Message);
            await ssl.DisposeAsync();
            return null;
        }
    }

    /// <summary>The certificate for a client hello's server name (empty: none sent), then the host name's, then the node's own.</summary>
    public static ServedCertificate Select(SnapshotIndex snapshot, CertificateProvider certificates, string? serverName) =>
        snapshot.Certificate(serverName) ?? snapshot.Certificate(certificates.HostName) ?? certificates.Served;
}
