using System.Collections.Concurrent;
using MailEngine.Auth;
using MailEngine.Contracts;
using MailEngine.Control;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;
using Xunit.Abstractions;

namespace MailEngine.Server.Tests;

/// <summary>Nothing acknowledged with 250 is lost, whenever the engine dies.</summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_message_acknowledged_with_250_survives_repeated_kill_9_during_a_load()
    {
        var root = Directory.CreateTempSubdirectory("crash").FullName;
        try
        {
            EngineNodeProcess.SnapshotStore(root).Apply(new EngineSnapshot
            {
                Version = 1,
                CompiledAt = DateTimeOffset.UtcNow,
                Domains = [new SnapshotDomain("example.test", 10 * 1024 * 1024)],
                Mailboxes = [new SnapshotMailbox("load@example.test", MailPasswordHasher.TimingDummyHash, 10L * 1024 * 1024 * 1024)],
                Policy = new SnapshotPolicy { TrustedNetworks = [] },
            });

            using var node = new EngineNodeProcess(root, EngineNodeProcess.FreePort(), EngineNodeProcess.FreePort());
            await node.StartAsync();

            // At least 300 messages, and the load goes on until the engine has been killed 10 times.
            const int messages = 300;
            const int requiredKills = 10;
            var acknowledged = new ConcurrentBag<string>();
            var next = -1;
            var kills = 0;
            // Acknowledgements since the last restart: the next kill waits for one, so that every
            // life of the engine makes progress however slowly a loaded machine starts it (a fixed
            // retry window per message once ran out on a busy machine: 299 of 300 acknowledged).
            var sinceStart = 0;
            using var stopKilling = new CancellationTokenSource();
            var killer = Task.Run(async () =>
            {
                var random = new Random(1);
                while (!stopKilling.IsCancellationRequested)
                {
                    await Task.Delay(random.Next(300, 900));
                    while (Volatile.Read(ref sinceStart) == 0 && !stopKilling.IsCancellationRequested) await Task.Delay(20);
                    if (stopKilling.IsCancellationRequested) break;
                    node.Kill();
                    Interlocked.Increment(ref kills);
                    Interlocked.Exchange(ref sinceStart, 0);
                    await node.StartAsync();
                }

            });

            var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                int n;
                while ((n = Interlocked.Increment(ref next)) < messages || (Volatile.Read(ref kills) < requiredKills && n < 20 * messages))
                {
                    var id = $"crash-{n}@test";
                    // A message refused by a dying engine is sent again, as a real client would, until
                    // it is acknowledged (each life of the engine acknowledges at least one message).
                    while (true)
                    {
                        try
                        {
                            using var client = new SmtpClient { Timeout = 10_000 };
                            await client.ConnectAsync("127.0.0.1", node.MxPort, SecureSocketOptions.None);
                            var message = new MimeMessage { MessageId = id, Subject = $"load {n}" };
                            message.From.Add(MailboxAddress.Parse("sender@outside.test"));
                            message.To.Add(MailboxAddress.Parse("load@example.test"));
                            message.Body = new TextPart("plain") { Text = new string('x', 2000) };
                            await client.SendAsync(message);
                            acknowledged.Add(id); // the server said 250
                            Interlocked.Increment(ref sinceStart);
                            await client.DisconnectAsync(true);
                            break;
                        }
                        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or SmtpProtocolException or SmtpCommandException or OperationCanceledException or TimeoutException)
                        {
                            await Task.Delay(50);
                        }
                    }
                }
            })).ToArray();

            await Task.WhenAll(senders);
            await stopKilling.CancelAsync();
            await killer;
            Assert.True(kills >= requiredKills, $"only {kills} kills happened during the load");

            // After the last restart the queue drains into the Maildir.
            var maildir = Path.Combine(root, "mail", "example.test", "load", "Maildir");
            var queue = Path.Combine(root, "state", "spool", "queue");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Directory.EnumerateFiles(queue).Any(f => !Path.GetFileName(f).Contains('.', StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
                await Task.Delay(100);

            var stored = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(maildir, "new")).Concat(Directory.EnumerateFiles(queue)))
            {
                foreach (var line in File.ReadLines(file))
                {
                    if (line.Length == 0) break;
                    if (line.StartsWith("Message-Id: <", StringComparison.OrdinalIgnoreCase)) stored.Add(line[13..^1]);
                }
            }

            var lost = acknowledged.Where(id => !stored.Contains(id)).ToList();
            output.WriteLine($"{acknowledged.Count} messages acknowledged across {kills} kill -9s; {stored.Count} distinct found afterwards; {lost.Count} lost.");
            Assert.True(acknowledged.Count >= messages, $"only {acknowledged.Count} messages were acknowledged ({lost.Count} of them lost)");
            Assert.True(lost.Count == 0, $"{lost.Count} acknowledged messages were lost after {kills} kills: {string.Join(", ", lost.Take(10))}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
