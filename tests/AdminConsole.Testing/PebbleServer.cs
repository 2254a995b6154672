using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace AdminConsole.Testing;

/// <summary>
/// Let's Encrypt's test CA (Debian pebble) on 127.0.0.1 for tests: its HTTPS under a throwaway CA made
/// here (Debian ships no test certificates), names looked up in a test <see cref="BindServer"/>, and
/// challenges really validated on the ports given (PEBBLE_VA_ALWAYS_VALID is not set). Authorizations
/// are never reused, so every order is validated afresh.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PebbleServer : ForegroundServer
{
    private readonly X509Certificate2 _httpsRoot;

    private PebbleServer() : base("pebble-test")
    {
        ManagementPort = MailEngine.Server.Tests.EngineNodeProcess.FreePort();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ca = new CertificateRequest("CN=pebble test HTTPS root", caKey, HashAlgorithmName.SHA256);
        ca.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        ca.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var root = ca.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        _httpsRoot = X509CertificateLoader.LoadCertificate(root.RawData);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leaf = new CertificateRequest("CN=localhost", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        leaf.CertificateExtensions.Add(names.Build());
        leaf.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = leaf.Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(Path.Combine(Folder, "cert.pem"), issued.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Folder, "key.pem"), leafKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(HttpsRootFile, root.ExportCertificatePem());
    }

    public static PebbleServer Reserve() => new();

    public int ManagementPort { get; }

    /// <summary>The directory URL an ACME client starts from.</summary>
    public Uri Directory => new($"https://127.0.0.1:{Port}/dir");

    /// <summary>The root of pebble's own HTTPS certificate as a PEM file (for a client's trusted roots setting).</summary>
    public string HttpsRootFile => Path.Combine(Folder, "https-root.pem");

    /// <summary>
    /// Starts pebble. <paramref name="httpPort"/> and <paramref name="tlsPort"/> are where its validator
    /// connects for HTTP-01 and TLS-ALPN-01; names resolve at <paramref name="dns"/>;
    /// <paramref name="nonceRejectPercent"/> of good nonces are refused as badNonce;
    /// <paramref name="externalAccountKeys"/> (key id → base64url MAC key) make External Account Binding required.
    /// </summary>
    public async Task StartAsync(BindServer dns, int httpPort, int tlsPort, int nonceRejectPercent = 0, IReadOnlyDictionary<string, string>? externalAccountKeys = null)
    {
        var settings = new JsonObject
        {
            ["listenAddress"] = $"127.0.0.1:{Port}",
            ["managementListenAddress"] = $"127.0.0.1:{ManagementPort}",
            ["certificate"] = Path.Combine(Folder, "cert.pem"),
            ["privateKey"] = Path.Combine(Folder, "key.pem"),
            ["httpPort"] = httpPort,
            ["tlsPort"] = tlsPort,
            ["ocspResponderURL"] = "",
            ["externalAccountBindingRequired"] = externalAccountKeys is not null,
        };
        if (externalAccountKeys is not null)
            settings["externalAccountMACKeys"] = new JsonObject([.. externalAccountKeys.Select(k => KeyValuePair.Create(k.Key, (JsonNode?)JsonValue.Create(k.Value)))]);
        var config = Path.Combine(Folder, "pebble.json");
        File.WriteAllText(config, new JsonObject { ["pebble"] = settings }.ToJsonString());

        var environment = new Dictionary<string, string>
        {
            ["PEBBLE_VA_NOSLEEP"] = "1",
            ["PEBBLE_WFE_NONCEREJECT"] = nonceRejectPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PEBBLE_AUTHZREUSE"] = "0",
        };
        using var client = CreateHttpClient();
        await StartAsync("/usr/bin/pebble", ["-config", config, "-dnsserver", dns.Endpoint], environment, async () =>
        {
            try
            {
                using var response = await client.GetAsync(Directory);
                return response.IsSuccessStatusCode ? null : $"directory: HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return e.Message;
            }
        });
    }

    /// <summary>An HTTP client that trusts pebble's HTTPS (and the system's roots), the way the console's ACME client is set up.</summary>
    public HttpClient CreateHttpClient() => new(AdminConsole.Core.Certificates.AcmeHttp.Handler([_httpsRoot])) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The root pebble issues under now (a new one at every start), from its management API.</summary>
    public async Task<X509Certificate2> IssuingRootAsync()
    {
        using var client = CreateHttpClient();
        return X509Certificate2.CreateFromPem(await client.GetStringAsync($"https://127.0.0.1:{ManagementPort}/roots/0"));
    }
}
