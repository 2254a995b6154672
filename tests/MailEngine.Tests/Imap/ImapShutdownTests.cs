using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Imap;

/// <summary>
/// Stopping the engine under IMAP load (issue #14 item 7): every client, whether in the middle of a
/// FETCH of whole messages or idling, reads its last response whole and then "* BYE", on a TLS stream
/// that stays intact to the end ("bad record mac" was seen when a write was cut short).
/// </summary>
public sealed class ImapShutdownTests
{
    [Fact]
    public async Task Every_client_gets_BYE_on_an_intact_TLS_stream()
    {
        var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());
        var stopped = false;
        try
        {
            var body = string.Join("\r\n", Enumerable.Repeat(new string('m', 76), 700)); // ~55 KB per message (the snapshot allows 64 KiB)
            for (var i = 0; i < 12; i++) await engine.DeliverAsync("alice@example.test", $"big {i}", body: body);
            await engine.WaitForInboxAsync("alice@example.test", 12);

            var clients = new List<(SslStream Tls, TcpClient Tcp)>();
            // Eight: under the ten sessions one user may have from one address (ImapUserSessions).
            for (var i = 0; i < 8; i++)
            {
                var tcp = new TcpClient();
                await tcp.ConnectAsync(engine.Host.ImapEndpoints["imaps"]);
                var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
                await tls.AuthenticateAsClientAsync("localhost");
                clients.Add((tls, tcp));
            }

            // Half fetch every message over and over, reading slowly, so that the server's writes of the
            // ~660 KB responses are in flight (blocked on a full socket) when it stops; half idle.
            var readers = clients.Select((c, i) => Task.Run(() => DriveAsync(c.Tls, fetching: i % 2 == 0))).ToList();
            // Until every client is logged in and busy: each has read its SELECT's tagged OK. A client
            // that ends before that (its LOGIN refused, the connection lost) fails the test with its
            // reason; it would otherwise leave this loop waiting for it forever.
            while (Volatile.Read(ref _busy) < clients.Count)
            {
                if (readers.FirstOrDefault(r => r.IsCompleted) is { } ended)
                {
                    var why = ended.IsFaulted ? ended.Exception!.InnerException!.Message : (await ended).Error?.Message ?? "the stream ended";
                    Assert.Fail($"A client ended before it was busy: {why}; the engine said: {string.Join(" | ", engine.Logs.Errors.Concat(engine.Logs.Warnings))}");
                }

                await Task.Delay(10);
            }

            await engine.Host.StopAsync(CancellationToken.None);
            stopped = true;
            foreach (var (transcript, error) in await Task.WhenAll(readers))
            {
                Assert.Null(error); // no IOException or AuthenticationException: the TLS stream was intact
                Assert.StartsWith("* BYE", transcript[^1], StringComparison.Ordinal);
            }

            foreach (var (tls, tcp) in clients)
            {
                await tls.DisposeAsync();
                tcp.Dispose();
            }
        }
        finally
        {
            if (!stopped) await engine.Host.StopAsync(CancellationToken.None);
            await engine.DisposeAsync();
        }
    }

    private int _busy;

    /// <summary>Logs in, selects INBOX, then fetches in a loop or idles; returns the last lines read up to the end of the stream, or the error that ended it.</summary>
    private async Task<(List<string> Lines, Exception? Error)> DriveAsync(SslStream tls, bool fetching)
    {
        var lines = new List<string>();
        var buffer = new byte[256 * 1024];
        int start = 0, end = 0;
        var tag = 0;
        try
        {
            await ReadUntilAsync(l => l.StartsWith("* OK", StringComparison.Ordinal));
            await SendAsync($"a{++tag} LOGIN alice@example.test {TestEngine.Password}");
            Assert.True((await ReadUntilAsync(l => l.StartsWith($"a{tag} ", StringComparison.Ordinal)))?.StartsWith($"a{tag} OK", StringComparison.Ordinal) == true, "LOGIN: " + string.Join(" | ", lines));
            await SendAsync($"a{++tag} SELECT INBOX");
            Assert.True((await ReadUntilAsync(l => l.StartsWith($"a{tag} ", StringComparison.Ordinal)))?.StartsWith($"a{tag} OK", StringComparison.Ordinal) == true, "SELECT: " + string.Join(" | ", lines));
            Interlocked.Increment(ref _busy);
            if (!fetching) await SendAsync($"a{++tag} IDLE");
            while (true)
            {
                if (fetching) await SendAsync($"a{++tag} FETCH 1:* (BODY.PEEK[])");
                var last = await ReadUntilAsync(l => l.StartsWith("* BYE", StringComparison.Ordinal) || (fetching && l.StartsWith($"a{tag} ", StringComparison.Ordinal)));
                if (last is null || last.StartsWith("* BYE", StringComparison.Ordinal))
                {
                    // After BYE the server closes: read to the end of the stream, which must end cleanly.
                    while (await tls.ReadAsync(buffer) > 0)
                    {
                    }

                    return (lines, null);
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            return (lines, e);
        }

        async Task SendAsync(string command)
        {
            try
            {
                await tls.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
                await tls.FlushAsync();
            }
            catch (IOException e) when (e.InnerException is SocketException)
            {
                // The server closed after its BYE while this command was on its way: the BYE is still to be read.
            }
        }

        // Reads lines (a literal's content is read as lines too) until one matches; null at the end of the stream.
        async Task<string?> ReadUntilAsync(Func<string, bool> match)
        {
            while (true)
            {
                var lf = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                if (lf >= 0)
                {
                    var line = Encoding.ASCII.GetString(buffer, start, lf - start).TrimEnd('\r');
                    start = lf + 1;
                    lines.Add(line);
                    if (lines.Count > 8) lines.RemoveAt(0);
                    if (match(line)) return line;
                    continue;
                }

                if (start > 0)
                {
                    Array.Copy(buffer, start, buffer, 0, end - start);
                    (end, start) = (end - start, 0);
                }

                if (fetching) await Task.Delay(1); // a slow reader: the server's writes wait for it
                var read = await tls.ReadAsync(buffer.AsMemory(end, Math.Min(16 * 1024, buffer.Length - end)));
                if (read == 0) return null;
                end += read;
            }
        }
    }
}
