using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

// ImapLoad generate MAILDIR COUNT   writes COUNT varied messages into MAILDIR/new, as an MTA delivers them
//                                   (both servers move them to cur/ at the first SELECT)
// ImapLoad HOST PORT USER PASSWORD MODE [ARGS]
//   fetch               LOGIN, SELECT INBOX, FETCH 1:* (FLAGS ENVELOPE): prints "ms responses select-ms"
//   search QUERY...     SELECT INBOX, then each SEARCH: prints "ms hits" per query
//   seen                marks every third message \Seen (STORE), so UNSEEN has something to tell apart
//   mixed SESSIONS N    SESSIONS concurrent clients, N rounds each of: connect+login, SELECT, FETCH 10
//                       random BODY.PEEK[], UID STORE +FLAGS \Seen on 5, SEARCH UNSEEN, NOOP, LOGOUT;
//                       prints "ms rounds commands"
// Over implicit TLS (both servers are measured the same way). Certificates are not checked: loopback.
if (args[0] == "generate") return Generator.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));

var host = args[0];
var port = int.Parse(args[1], CultureInfo.InvariantCulture);
var user = args[2];
var password = args[3];
var mode = args[4];

switch (mode)
{
    case "fetch":
    {
        await using var client = await Client.ConnectAsync(host, port, user, password);
        var watch = Stopwatch.StartNew();
        var select = await client.CommandAsync("SELECT INBOX");
        var selected = watch.Elapsed.TotalMilliseconds;
        var fetch = await client.CommandAsync("FETCH 1:* (FLAGS ENVELOPE)");
        watch.Stop();
        var count = fetch.Count(l => l.Contains(" FETCH (", StringComparison.Ordinal));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalMilliseconds:F1} {count} {selected:F1}"));
        break;
    }

    case "search":
    {
        await using var client = await Client.ConnectAsync(host, port, user, password);
        await client.CommandAsync("SELECT INBOX");
        foreach (var query in args[5..])
        {
            var watch = Stopwatch.StartNew();
            var lines = await client.CommandAsync("SEARCH " + query);
            watch.Stop();
            var hits = lines.Where(l => l.StartsWith("* SEARCH", StringComparison.Ordinal)).Sum(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length - 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalMilliseconds:F1} {hits}"));
        }

        break;
    }

    case "seen":
    {
        await using var client = await Client.ConnectAsync(host, port, user, password);
        var select = await client.CommandAsync("SELECT INBOX");
        var exists = int.Parse(select.First(l => l.EndsWith(" EXISTS", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
        var set = string.Join(',', Enumerable.Range(1, exists).Where(n => n % 3 == 1));
        var reply = await client.CommandAsync($"STORE {set} +FLAGS.SILENT (\\Seen)");
        if (!reply[^1].Contains(" OK", StringComparison.Ordinal)) throw new InvalidOperationException(reply[^1]);
        break;
    }

    case "mixed":
    {
        var sessions = int.Parse(args[5], CultureInfo.InvariantCulture);
        var rounds = int.Parse(args[6], CultureInfo.InvariantCulture);
        var commands = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, sessions).Select(async s =>
        {
            var random = new Random(s);
            for (var r = 0; r < rounds; r++)
            {
                await using var client = await Client.ConnectAsync(host, port, user, password);
                var select = await client.CommandAsync("SELECT INBOX");
                var exists = int.Parse(select.First(l => l.EndsWith(" EXISTS", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
                var picks = string.Join(',', Enumerable.Range(0, 10).Select(_ => random.Next(1, exists + 1)));
                await client.CommandAsync($"FETCH {picks} (UID RFC822.SIZE BODY.PEEK[])");
                var seen = string.Join(',', Enumerable.Range(0, 5).Select(_ => random.Next(1, exists + 1)));
                await client.CommandAsync($"STORE {seen} +FLAGS.SILENT (\\Seen)");
                await client.CommandAsync("SEARCH UNSEEN");
                await client.CommandAsync("NOOP");
                await client.CommandAsync("LOGOUT");
                Interlocked.Add(ref commands, 7);
            }
        }));
        watch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalMilliseconds:F1} {sessions * rounds} {commands}"));
        break;
    }

    default:
        Console.Error.WriteLine("unknown mode " + mode);
        return 2;
}

return 0;

/// <summary>A minimal IMAP client: tagged commands, lines with literals read whole, nothing interpreted.</summary>
internal sealed class Client : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start, _end, _tag;

    private Client(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    public static async Task<Client> ConnectAsync(string host, int port, string user, string password)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port);
        var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("localhost");
        var client = new Client(tcp, ssl);
        await client.ReadLineAsync(); // greeting
        var login = await client.CommandAsync($"LOGIN \"{user}\" \"{password}\"");
        if (!login[^1].Contains(" OK", StringComparison.Ordinal)) throw new InvalidOperationException("login failed: " + login[^1]);
        return client;
    }

    public async Task<List<string>> CommandAsync(string command)
    {
        var tag = "t" + (++_tag).ToString(CultureInfo.InvariantCulture);
        await _stream.WriteAsync(Encoding.UTF8.GetBytes($"{tag} {command}\r\n"));
        await _stream.FlushAsync();
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadResponseAsync();
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal)) return lines;
        }
    }

    /// <summary>One response line; a literal inside it is read and replaced by its length.</summary>
    private async Task<string> ReadResponseAsync()
    {
        var builder = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync();
            builder.Append(line);
            if (!line.EndsWith('}')) return builder.ToString();
            var open = line.LastIndexOf('{');
            var length = long.Parse(line.AsSpan(open + 1, line.Length - open - 2), CultureInfo.InvariantCulture);
            await SkipAsync(length);
        }
    }

    private async Task SkipAsync(long length)
    {
        while (length > 0)
        {
            if (_start == _end) await FillAsync();
            var take = (int)Math.Min(length, _end - _start);
            _start += take;
            length -= take;
        }
    }

    private async Task<string> ReadLineAsync()
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end) await FillAsync();
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                line.AddRange(span[..lf].ToArray());
                _start += lf + 1;
                if (line.Count > 0 && line[^1] == '\r') line.RemoveAt(line.Count - 1);
                return Encoding.UTF8.GetString(line.ToArray());
            }

            line.AddRange(span.ToArray());
            _start = _end;
        }
    }

    private async Task FillAsync()
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer);
        if (_end == 0) throw new IOException("connection closed");
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}

/// <summary>
/// Messages like a real inbox: varied senders and subjects, a fifth multipart with a base64
/// attachment, 1 in 100 with the word "ostrich" in the body. Deterministic.
/// </summary>
internal static class Generator
{
    private static readonly string[] Words = "the a meeting report invoice project budget review schedule team update please find attached notes draft final agenda client offer contract quarterly numbers".Split(' ');

    public static int Run(string maildir, int count)
    {
        var random = new Random(42);
        foreach (var sub in new[] { "cur", "new", "tmp" }) Directory.CreateDirectory(Path.Combine(maildir, sub));
        var start = new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var date = start.AddMinutes(i * 37);
            var subject = string.Join(' ', Enumerable.Range(0, random.Next(3, 9)).Select(_ => Words[random.Next(Words.Length)]));
            var body = new StringBuilder();
            var lines = random.Next(5, 80);
            for (var l = 0; l < lines; l++) body.Append(string.Join(' ', Enumerable.Range(0, 12).Select(_ => Words[random.Next(Words.Length)]))).Append("\r\n");
            if (i % 100 == 7) body.Append("An ostrich was seen near the office.\r\n");
            var text = new StringBuilder()
                .Append("Return-Path: <user").Append(i % 50).Append("@sender.test>\r\n")
                .Append("From: \"User ").Append(i % 50).Append("\" <user").Append(i % 50).Append("@sender.test>\r\n")
                .Append("To: Bench <user0@bench.test>\r\n");
            if (i % 4 == 0) text.Append("Cc: team").Append(i % 7).Append("@bench.test\r\n");
            text.Append("Subject: ").Append(subject).Append(" #").Append(i).Append("\r\n")
                .Append("Date: ").Append(date.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("\r\n")
                .Append("Message-ID: <").Append(i).Append(".bench@sender.test>\r\n")
                .Append("MIME-Version: 1.0\r\n");
            if (i % 5 == 0)
            {
                var attachment = new byte[random.Next(2_000, 20_000)];
                random.NextBytes(attachment);
                text.Append("Content-Type: multipart/mixed; boundary=\"b").Append(i).Append("\"\r\n\r\n")
                    .Append("--b").Append(i).Append("\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n").Append(body)
                    .Append("--b").Append(i).Append("\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"file").Append(i).Append(".bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
                    .Append(Convert.ToBase64String(attachment, Base64FormattingOptions.InsertLineBreaks)).Append("\r\n")
                    .Append("--b").Append(i).Append("--\r\n");
            }
            else
            {
                text.Append("Content-Type: text/plain; charset=utf-8\r\n\r\n").Append(body);
            }

            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            var name = string.Create(CultureInfo.InvariantCulture, $"{date.ToUnixTimeSeconds()}.M{i}P1.bench,S={bytes.Length}");
            var path = Path.Combine(maildir, "new", name);
            File.WriteAllBytes(path, bytes);
            File.SetLastWriteTimeUtc(path, date.UtcDateTime);
        }

        return 0;
    }
}
