using System.Diagnostics;
using System.Net;
using System.Text;
using DnsClient;

namespace AdminConsole.Testing;

/// <summary>
/// A peer server for tests (BIND, unbound, pebble) run in the foreground on 127.0.0.1 on a port of its own,
/// with a throwaway folder, its output kept for failure messages, and killed with the test.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public abstract class ForegroundServer : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    protected ForegroundServer(string name)
    {
        Port = MailEngine.Server.Tests.EngineNodeProcess.FreePort();
        Folder = Directory.CreateTempSubdirectory(name).FullName;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>The server's throwaway folder (configuration, zones, keys).</summary>
    protected string Folder { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts the program (stopping the one running first), then waits until <paramref name="ready"/> says each name is served.</summary>
    protected Task StartAsync(string program, IEnumerable<string> arguments, IEnumerable<string> names, Func<LookupClient, string, Task<bool>> ready, bool recursion)
    {
        var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port))
        {
            UseCache = false, Recursion = recursion, Timeout = TimeSpan.FromSeconds(1), Retries = 0, ThrowDnsErrors = false, ContinueOnDnsError = true,
        });
        return StartAsync(program, arguments, null, async () =>
        {
            foreach (var name in names)
            {
                try
                {
                    if (!await ready(client, name)) return $"no answer for {name}";
                }
                catch (DnsResponseException e)
                {
                    return $"{name}: {e.Message}";
                }
            }

            return null;
        });
    }

    /// <summary>
    /// Starts the program (stopping the one running first) with these extra environment variables, then
    /// asks <paramref name="notReady"/> until it returns null (ready) instead of what it still waits for:
    /// no fixed start window, only a generous bound; the process is killed when it never gets ready.
    /// </summary>
    protected async Task StartAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, Func<Task<string?>> notReady)
    {
        await StopAsync();
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start (deploy/test.sh installs it)");
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await notReady() is { } waiting)
            {
                if (_process.HasExited) throw new InvalidOperationException($"{program} exited with {_process.ExitCode}: {Output}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"{program} did not get ready ({waiting}): {Output}");
                await Task.Delay(100);
            }
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    /// <summary>A file the server (which may drop to its own user) can read: the test process may run with a private umask.</summary>
    protected static async Task WriteReadableAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}
