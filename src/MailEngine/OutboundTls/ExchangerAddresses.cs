using System.Net;
using MailEngine.Dns;

namespace MailEngine.OutboundTls;

/// <summary>Addresses of a host through the engine's DNS (not the machine's stub), IPv4 first.</summary>
public static class ExchangerAddresses
{
    public static async Task<IReadOnlyList<IPAddress>> ResolveAsync(IDnsLookup dns, string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) return [literal];
        // RFC 6761 §6.3: "localhost" is the loopback interface, never asked of a resolver.
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return [IPAddress.Loopback];
        var addresses = new List<IPAddress>();
        foreach (var kind in new[] { DnsRecordKind.A, DnsRecordKind.Aaaa })
        {
            var answer = await dns.QueryAsync(host, kind, ct);
            addresses.AddRange(answer.Values.Select(v => IPAddress.TryParse(v, out var a) ? a : null).OfType<IPAddress>());
            if (answer.Status == DnsLookupStatus.NoSuchDomain) break;
        }

        return addresses;
    }
}
