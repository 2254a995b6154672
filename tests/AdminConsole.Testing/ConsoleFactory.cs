using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Testing;

/// <summary>
/// The real console host (Program) on a real loopback socket (Kestrel on a free port), against a
/// test database. Clients from <see cref="CreateHttpClient"/> speak HTTP over TCP like a browser does.
/// </summary>
public sealed class ConsoleFactory : WebApplicationFactory<Program>
{
    private readonly string _databaseName;
    private readonly int? _databasePort;

    public ConsoleFactory(string databaseName, int? databasePort = null)
    {
        _databaseName = databaseName;
        _databasePort = databasePort;
        UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
    }

    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
            return new Uri(addresses.Addresses.First());
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Name", _databaseName);
        if (_databasePort is { } port) builder.UseSetting("Database:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    /// <summary>An HTTP client over the socket; cookies kept, redirects not followed, so tests see them.</summary>
    public HttpClient CreateHttpClient(bool followRedirects = false)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = followRedirects, UseCookies = true, CookieContainer = new CookieContainer() };
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }
}
