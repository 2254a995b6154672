using System.Net;
using System.Net.Sockets;

namespace MailEngine.Dns;

public static class DnsNames
{
    /// <summary>The name a PTR lookup asks for an address (RFC 1035 §3.5 in-addr.arpa, RFC 3596 §2.5 ip6.arpa).</summary>
    public static string Reverse(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        var bytes = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork) return string.Join('.', bytes.Reverse()) + ".in-addr.arpa";
        return string.Join('.', Auth.Spf.SpfMacro.Nibbles(ip).Reverse()) + ".ip6.arpa";
    }
}
