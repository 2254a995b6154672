using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace AdminConsole.Web.Hosting;

/// <summary>
/// The TLS reverse proxy in front of the console (section "Console:Proxy"). Only the addresses
/// listed here are believed when they say, in X-Forwarded-For and X-Forwarded-Proto, who the client
/// is and that it came over https: then audit entries and sign-in limits see the real client, the
/// auth cookie is Secure and HSTS is sent. With none listed, no forwarded header is believed.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Console:Proxy";

    /// <summary>Proxy addresses, e.g. ["127.0.0.1"] for nginx on the same machine.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form ("10.0.0.0/24").</summary>
    public string[] KnownNetworks { get; set; } = [];

    public bool Enabled => KnownProxies.Length > 0 || KnownNetworks.Length > 0;
}

internal static class ProxySetup
{
    public static IServiceCollection AddConsoleProxy(this IServiceCollection services, IConfiguration configuration)
    {
        var proxy = configuration.GetSection(ProxyOptions.Section).Get<ProxyOptions>() ?? new ProxyOptions();
        services.AddSingleton(proxy);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // ASP.NET trusts loopback by default: nothing is trusted that is not configured.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var address in proxy.KnownProxies) o.KnownProxies.Add(IPAddress.Parse(address));
            foreach (var network in proxy.KnownNetworks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            o.ForwardLimit = 1;
        });
        return services;
    }

    public static IApplicationBuilder UseConsoleProxy(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<ProxyOptions>().Enabled) app.UseForwardedHeaders();
        return app;
    }

    /// <summary>Whether the request came through a proxy (the middleware keeps the proxy's address in X-Original-For).</summary>
    public static bool CameThroughProxy(HttpContext context) => context.Request.Headers.ContainsKey("X-Original-For")
        || context.Request.Headers.ContainsKey("X-Forwarded-For");
}
