using System.Net;
using MailEngine.Tests.Support;

namespace MailEngine.Server.Tests;

/// <summary>A raw line client for an engine node's SMTP and IMAP ports (the engine tests' RawConnection): sends what real clients would not.</summary>
public sealed class NodeConnection : RawConnection
{
    private NodeConnection(System.Net.Sockets.TcpClient tcp) : base(tcp)
    {
    }

    public static async Task<NodeConnection> OpenAsync(int port, string? from = null) =>
        new(await OpenAsync(new IPEndPoint(IPAddress.Loopback, port), from));

    /// <summary>Lines up to and including the first for which <paramref name="last"/> holds (an IMAP tagged line, a final SMTP reply line).</summary>
    public async Task<List<string>> ReadUntilAsync(Func<string, bool> last)
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (last(line)) break;
        }

        return lines;
    }
}
