using System.Net.Security;
using System.Security.Authentication;
using AdminConsole.Core.Certificates;
using AdminConsole.Core.Certificates.Acme;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AdminConsole.Web.Features.Certificates;

/// <summary>
/// The console's own HTTPS: every https:// address it listens on (ASPNETCORE_URLS, e.g.
/// "http://0.0.0.0:80;https://0.0.0.0:443") serves the certificates of the Certificates page, chosen
/// per handshake by the client's server name (<see cref="ConsoleCertificates"/>): a new certificate is
/// used by the next connection, without a restart, and connections under way keep theirs. The same
/// listener answers tls-alpn-01 validations (RFC 8737): a ClientHello that offers only "acme-tls/1"
/// gets the challenge certificate for its name and that protocol, and no HTTP.
/// </summary>
public static class ConsoleHttps
{
    private const string HelloItem = "console-https.client-hello";
    private static readonly List<SslApplicationProtocol> AcmeTls = [new(AcmeTlsAlpn.Protocol)];

    public static WebApplicationBuilder AddConsoleHttps(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<ConsoleCertificateReloader>();
        // The console (not adminctl) watches each new certificate until every node and its HTTPS have it.
        builder.Services.AddSingleton<CertificateInstallWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CertificateInstallWatcher>());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var certificates = kestrel.ApplicationServices.GetRequiredService<ConsoleCertificates>();
            // The defaults reach every https:// address of ASPNETCORE_URLS.
            kestrel.ConfigureHttpsDefaults(https => Configure(https, certificates));
        });
        return builder;
    }

    /// <summary>For a listener configured in code (the tests' own Kestrel endpoints): the same as an https:// address gets.</summary>
    public static ListenOptions UseConsoleHttps(this ListenOptions listen)
    {
        var certificates = listen.ApplicationServices.GetRequiredService<ConsoleCertificates>();
        return listen.UseHttps(https => Configure(https, certificates));
    }

    private static void Remember(Microsoft.AspNetCore.Connections.ConnectionContext connection, System.Buffers.ReadOnlySequence<byte> record)
    {
        if (TlsClientHello.Parse(record) is { } hello) connection.Items[HelloItem] = hello;
    }

    private static void Configure(HttpsConnectionAdapterOptions https, ConsoleCertificates certificates)
    {
        // Only a console with an HTTPS listener says its HTTPS serves a certificate.
        certificates.Serve();
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        // Kestrel hands over the first record before the handshake starts; OnAuthenticate then chooses by it.
        https.TlsClientHelloBytesCallback = Remember;
        // Used when the ClientHello could not be read ahead (it spans records): by server name, without intermediates.
        https.ServerCertificateSelector = (_, name) => certificates.Select(name).Leaf;
        https.OnAuthenticate = (connection, options) =>
        {
            if (!connection.Items.TryGetValue(HelloItem, out var item) || item is not TlsClientHello hello) return;
            if (hello.ApplicationProtocols is [AcmeTlsAlpn.Protocol] && hello.ServerName is { Length: > 0 } name && certificates.AlpnChallenge(name) is { } challenge)
            {
                options.ServerCertificateSelectionCallback = null;
                options.ServerCertificateContext = challenge.Context;
                options.ApplicationProtocols = AcmeTls;
                return;
            }

            // The context sends the intermediates along (RFC 8446 §4.4.2).
            options.ServerCertificateSelectionCallback = null;
            options.ServerCertificateContext = certificates.Select(hello.ServerName).Context;
        };
    }
}
