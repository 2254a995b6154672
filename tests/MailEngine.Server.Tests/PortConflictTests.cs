namespace MailEngine.Server.Tests;

/// <summary>Listeners do not share ports (no SO_REUSEPORT): a second engine on the same ports fails to start, naming the port.</summary>
public sealed class PortConflictTests
{
    [Fact]
    public async Task A_second_node_on_the_same_ports_exits_non_zero_naming_the_port()
    {
        var root = Directory.CreateTempSubdirectory("ports").FullName;
        var second = Directory.CreateTempSubdirectory("ports2").FullName;
        try
        {
            using var first = new EngineNodeProcess(root, EngineNodeProcess.FreePort(), EngineNodeProcess.FreePort());
            await first.StartAsync();
            using var clash = new EngineNodeProcess(second, first.MxPort, EngineNodeProcess.FreePort());
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(clash.StartAsync);
            Assert.Contains("mailengine-node exited with", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("exited with 0", refused.Message, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{first.MxPort} is already in use", refused.Message, StringComparison.Ordinal);
            Assert.True(first.Running);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }
}
