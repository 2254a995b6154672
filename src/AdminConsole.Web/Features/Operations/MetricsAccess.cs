using System.Net;
using System.Security.Cryptography;
using System.Text;
using AdminConsole.Core.Security;
using AdminConsole.Web.Hosting;
using Microsoft.Extensions.Options;

namespace AdminConsole.Web.Features.Operations;

/// <summary>Who may scrape /metrics without an API token (section "Console:Metrics").</summary>
public sealed class MetricsOptions
{
    public const string Section = "Console:Metrics";

    /// <summary>Networks that may scrape directly (not through a proxy); loopback by default.</summary>
    public string[] AllowedNetworks { get; set; } = ["127.0.0.0/8", "::1/128"];
}

/// <summary>
/// The scrape token is the credential file "metrics-token" (Credentials:Directory), sent as
/// "Authorization: Bearer …" (Prometheus' bearer_token_file). A request from an allowed network is let
/// in only when it came straight to the console: behind a reverse proxy every request has the proxy's
/// address, and the allow-list must not make /metrics public through it.
/// </summary>
internal sealed class MetricsAccess
{
    private readonly byte[]? _token;
    private readonly IPNetwork[] _allowed;

    public MetricsAccess(IOptions<MetricsOptions> options, CredentialStore credentials)
    {
        _allowed = [.. options.Value.AllowedNetworks.Select(IPNetwork.Parse)];
        if (credentials.TryRead(CredentialStore.MetricsToken)?.Trim() is { Length: > 0 } token)
            _token = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    public bool Allows(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (_token is not null && header.StartsWith("Bearer ", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())), _token))
            return true;
        if (ProxySetup.CameThroughProxy(http)) return false;
        return http.Connection.RemoteIpAddress is { } ip && _allowed.Any(n => n.Contains(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip));
    }
}
