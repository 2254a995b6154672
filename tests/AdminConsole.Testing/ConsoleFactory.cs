using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using AdminConsole.Web.Features.Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AdminConsole.Testing;

/// <summary>
/// The real console host (Program) on a real loopback socket (Kestrel on a free port), against a
/// test database. Clients from <see cref="CreateHttpClient"/> speak HTTP over TCP like a browser does.
/// </summary>
public sealed class ConsoleFactory : WebApplicationFactory<Program>
{
    private readonly string _databaseName;
    private readonly int? _databasePort;
    private readonly IReadOnlyDictionary<string, string> _settings;

    /// <param name="settings">Configuration for this host only, on top of the test defaults (timeouts, limits).</param>
    /// <param name="https">Also listen for HTTPS (on another free port), as an https:// address of ASPNETCORE_URLS would.</param>
    public ConsoleFactory(string databaseName, int? databasePort = null, IReadOnlyDictionary<string, string>? settings = null, bool https = false)
    {
        _databaseName = databaseName;
        _databasePort = databasePort;
        _settings = settings ?? new Dictionary<string, string>();
        _contract = new Lazy<Task<ApiContract>>(LoadContractAsync);
        UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            if (https) k.Listen(IPAddress.Loopback, 0, l => l.UseConsoleHttps());
        });
    }

    /// <summary>Every line this console logs: its own and the engine's from Debug, the rest from Information.</summary>
    public CapturedLog Log { get; } = new();

    /// <summary>The engine's state and Maildir folders for this host, removed with it.</summary>
    public string EngineRoot { get; } = Directory.CreateTempSubdirectory("console-engine").FullName;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(EngineRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public Uri BaseAddress => Address("http");

    /// <summary>The HTTPS address (a factory made with https: true).</summary>
    public Uri HttpsAddress => Address("https");

    private Uri Address(string scheme)
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return addresses.Addresses.Select(a => new Uri(a)).FirstOrDefault(a => a.Scheme == scheme)
            ?? throw new InvalidOperationException($"The console has no {scheme} address ({string.Join(", ", addresses.Addresses)}).");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Name", _databaseName);
        if (_databasePort is { } port) builder.UseSetting("Database:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Logging:LogLevel:Default", Environment.GetEnvironmentVariable("CONSOLE_TEST_LOGLEVEL") ?? "Warning");
        // The in-process engine gets its own folders and free ports, so hosts run side by side.
        builder.UseSetting("Engine:StateDirectory", Path.Combine(EngineRoot, "state"));
        builder.UseSetting("Engine:MaildirRoot", Path.Combine(EngineRoot, "mail"));
        builder.UseSetting("Engine:HostName", "mx.console.test");
        builder.UseSetting("Engine:Follow:Interval", "00:00:00.200");
        foreach (var listener in new[] { "Mx", "Submission", "Submissions", "Imap:Listener", "Imap:ImplicitTls" }) builder.UseSetting($"Engine:{listener}:Port", "0");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        // Kept whatever the console's own log level: the console's and the engine's lines down to Debug,
        // the rest from Information, so a test can grep everything a production log could hold.
        builder.ConfigureLogging(logging => logging.AddProvider(Log)
            .AddFilter<CapturedLog>(null, LogLevel.Information)
            .AddFilter<CapturedLog>("AdminConsole", LogLevel.Debug)
            .AddFilter<CapturedLog>("MailEngine", LogLevel.Debug));
    }

    /// <summary>An HTTP client over the socket; cookies kept, redirects not followed, so tests see them.</summary>
    public HttpClient CreateHttpClient(bool followRedirects = false)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = followRedirects, UseCookies = true, CookieContainer = new CookieContainer() };
        // Every /api/v1 answer any test receives is checked against the OpenAPI document (ApiContract).
        return new HttpClient(new ApiContractHandler(() => _contract.Value) { InnerHandler = handler }) { BaseAddress = BaseAddress };
    }

    private readonly Lazy<Task<ApiContract>> _contract;

    /// <summary>The document as this console serves it, read once (anonymously, as a client generator would).</summary>
    public Task<ApiContract> ContractAsync() => _contract.Value;

    private async Task<ApiContract> LoadContractAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        using var response = await client.GetAsync("/openapi/v1.json");
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"/openapi/v1.json answered {(int)response.StatusCode}.");
        return new ApiContract(System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }
}
