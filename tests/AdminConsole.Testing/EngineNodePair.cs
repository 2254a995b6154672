using MailEngine.Server.Tests;

namespace AdminConsole.Testing;

/// <summary>
/// Two running mailengine-node processes ("mx1", "mx2"), each with its own folders and ports, and the
/// console settings that feed them (Engine:Enabled false, Console:EngineNodes with a bearer token in a
/// credential file of its own): for the tests of the console with engine nodes, in the console's tests
/// and the browser's.
/// </summary>
public sealed class EngineNodePair : IDisposable
{
    private readonly string _credential = $"engine-control-token-{Guid.NewGuid():N}";
    private readonly List<string> _roots = [];

    private EngineNodePair(EngineNodeProcess[] nodes, List<string> roots)
    {
        Nodes = nodes;
        _roots = roots;
    }

    public EngineNodeProcess[] Nodes { get; }

    public string CredentialName => _credential;

    /// <summary>The console settings for these nodes.</summary>
    public IReadOnlyDictionary<string, string> ConsoleSettings => new Dictionary<string, string>
    {
        ["Engine:Enabled"] = "false",
        ["Console:EngineNodes:0:Name"] = "mx1",
        ["Console:EngineNodes:0:Url"] = $"http://127.0.0.1:{Nodes[0].ControlPort}",
        ["Console:EngineNodes:0:TokenCredential"] = _credential,
        ["Console:EngineNodes:1:Name"] = "mx2",
        ["Console:EngineNodes:1:Url"] = $"http://127.0.0.1:{Nodes[1].ControlPort}",
        ["Console:EngineNodes:1:TokenCredential"] = _credential,
    };

    /// <summary>
    /// Starts both nodes together (each waits for its own ports). A failed start kills both before
    /// throwing: xUnit does not dispose a fixture whose InitializeAsync threw, and a node left running
    /// held its ports for the rest of a run.
    /// </summary>
    public static async Task<EngineNodePair> StartAsync()
    {
        var token = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var roots = new List<string>();
        var nodes = new List<EngineNodeProcess>();
        for (var i = 0; i < 2; i++)
        {
            var root = Directory.CreateTempSubdirectory("node").FullName;
            roots.Add(root);
            var own = Directory.CreateDirectory(Path.Combine(root, "credentials")).FullName;
            await File.WriteAllTextAsync(Path.Combine(own, "engine-control-token"), token);
            nodes.Add(new EngineNodeProcess(root, EngineNodeProcess.FreePort(), EngineNodeProcess.FreePort(), own));
        }

        var pair = new EngineNodePair([.. nodes], roots);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(TestEnvironment.CredentialsDirectory, pair._credential), token);
            await Task.WhenAll(nodes.Select(n => n.StartAsync()));
            return pair;
        }
        catch
        {
            pair.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var node in Nodes) node.Dispose();
        File.Delete(Path.Combine(TestEnvironment.CredentialsDirectory, _credential));
        foreach (var root in _roots)
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
