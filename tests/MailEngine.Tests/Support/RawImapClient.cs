using System.Net;

namespace MailEngine.Tests.Support;

/// <summary>A byte-level IMAP client for what MailKit will not send: bad syntax, overlong lines, oversized literals.</summary>
public sealed class RawImapClient : RawConnection
{
    private RawImapClient(System.Net.Sockets.TcpClient tcp) : base(tcp)
    {
    }

    public string Greeting { get; private set; } = string.Empty;

    /// <summary>Connects (with implicit TLS for the IMAPS listener) and reads the greeting.</summary>
    public static async Task<RawImapClient> ConnectAsync(IPEndPoint endpoint, bool tls = true, string? from = null)
    {
        var client = new RawImapClient(await OpenAsync(endpoint, from));
        if (tls) await client.UpgradeAsync();
        client.Greeting = await client.ReadLineAsync() ?? string.Empty;
        return client;
    }

    public async Task LoginAsync(string user = "alice@example.test")
    {
        var reply = await CommandAsync("L1", $"LOGIN {user} {TestEngine.Password}");
        if (!reply[^1].StartsWith("L1 OK", StringComparison.Ordinal)) throw new InvalidOperationException(string.Join("\n", reply));
    }

    /// <summary>Sends "TAG TEXT" and returns every line up to and including the tagged one.</summary>
    public async Task<List<string>> CommandAsync(string tag, string text)
    {
        await SendAsync($"{tag} {text}\r\n");
        return await ReadUntilTaggedAsync(tag);
    }

    public async Task<List<string>> ReadUntilTaggedAsync(string tag)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            if (line is null) return lines;
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal)) return lines;
        }
    }
}
