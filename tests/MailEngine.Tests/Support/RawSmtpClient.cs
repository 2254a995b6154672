using System.Net;

namespace MailEngine.Tests.Support;

/// <summary>A byte-level SMTP client for what MailKit will not send: bad syntax, bare LF, pipelined injections.</summary>
public sealed class RawSmtpClient : RawConnection
{
    private RawSmtpClient(System.Net.Sockets.TcpClient tcp) : base(tcp)
    {
    }

    /// <summary>The PLAIN SASL response (RFC 4616): no authorization identity, the user, the password.</summary>
    public static string Plain(string user, string password) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{user}\0{password}"));

    public static async Task<RawSmtpClient> ConnectAsync(IPEndPoint endpoint, bool implicitTls = false, string? from = null)
    {
        var client = new RawSmtpClient(await OpenAsync(endpoint, from));
        if (implicitTls) await client.UpgradeAsync();
        return client;
    }

    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadReplyAsync();
    }

    /// <summary>Reads one whole reply (all its lines); returns "" when the server closed the connection.</summary>
    public async Task<string> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            if (line is null) return string.Join("\n", lines);
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-') return string.Join("\n", lines);
        }
    }
}
