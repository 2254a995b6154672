using System.Net;
using System.Net.Sockets;

namespace MailEngine.Server.Tests;

/// <summary>
/// Near the file descriptor limit the node refuses connections instead of running out of descriptors
/// (at the limit the runtime could not start a thread and the process died "Out of memory").
/// </summary>
public sealed class DescriptorLimitTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Idle_connections_past_the_descriptor_limit_cost_no_CPU_and_the_node_serves_again_when_they_go()
    {
        var root = Directory.CreateTempSubdirectory("fdlimit").FullName;
        var clients = new List<Socket>();
        using var node = new EngineNodeProcess(root, EngineNodeProcess.FreePort(), EngineNodeProcess.FreePort()) { FileDescriptorLimit = 400 };
        // The per-address and per-listener caps are lifted: only the bound from the descriptor limit is left.
        node.Environment["Engine__Connections__MaxPerAddress"] = "100000";
        node.Environment["Engine__Connections__MaxPerListener"] = "100000";
        try
        {
            await node.StartAsync();
            await node.WaitForScannerAsync(); // its CPU is measured below
            // Twice as many connections as the node has descriptors: the kernel completes them (backlog 512),
            // and accept(2) fails with EMFILE once the node's table is full.
            for (var i = 0; i < 800; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.{1 + (i / 200)}.{1 + (i % 200)}"), 0));
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, node.MxPort);
                }
                catch (SocketException e)
                {
                    throw new InvalidOperationException($"connection {i} failed ({e.SocketErrorCode}); node running: {node.Running}\n{node.Output}", e);
                }
                clients.Add(socket);
            }

            // 400 descriptors less those open at start and the reserve: the node says its bound, and serves that many; the rest are told 421.
            var bound = System.Text.RegularExpressions.Regex.Match(node.Output, @"At most (\d+) client connections at once \(file descriptor limit 400, (\d+) open at start\)");
            Assert.True(bound.Success, node.Output);
            var served = int.Parse(bound.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(400 - int.Parse(bound.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) - MailEngine.Hosting.ConnectionBudget.Reserve, served);
            Assert.InRange(served, 1, 400 - MailEngine.Hosting.ConnectionBudget.Reserve);
            var refused = 0;
            foreach (var socket in clients)
            {
                var buffer = new byte[512];
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("421 4.7.0", StringComparison.Ordinal)) refused++;
            }

            output.WriteLine($"{clients.Count - refused} connections served, {refused} refused");
            Assert.Equal(800 - served, refused);
            var before = node.CpuTime;
            await Task.Delay(3000);
            var spent = node.CpuTime - before;
            output.WriteLine($"at the descriptor limit the node used {spent.TotalMilliseconds:0} ms of CPU in 3 s");
            Assert.True(node.Running, node.Output);
            // Spinning on EMFILE took 88% of a core; backing off takes next to nothing.
            Assert.True(spent < TimeSpan.FromSeconds(1), $"the node used {spent.TotalMilliseconds:0} ms of CPU in 3 s");

            foreach (var socket in clients) socket.Dispose();
            clients.Clear();

            // Once the idle connections are gone, a new client is greeted again.
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (true)
            {
                await using var smtp = await NodeConnection.OpenAsync(node.MxPort);
                var greeting = await smtp.ReadLineAsync();
                if (greeting?.StartsWith("220 ", StringComparison.Ordinal) == true) break;
                Assert.True(DateTime.UtcNow < deadline, "no greeting after the connections went:\n" + node.Output);
                await Task.Delay(100);
            }
        }
        finally
        {
            foreach (var socket in clients) socket.Dispose();
            node.Dispose();
            Directory.Delete(root, recursive: true);
        }
    }
}
