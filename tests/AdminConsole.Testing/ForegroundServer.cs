using System.Diagnostics;
using System.Net;
using System.Text;
using DnsClient;

namespace AdminConsole.Testing;

/// <summary>
/// A peer server for tests (BIND, unbound) run in the foreground on 127.0.0.1 on a port of its own,
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
    protected async Task StartAsync(string program, IEnumerable<string> arguments, IEnumerable<string> names, Func<LookupClient, string, Task<bool>> ready, bool recursion)
    {
        await StopAsync();
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start (deploy/test.sh installs it)");
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        try
        {
            // Ready when it answers for every name; no fixed start window, only a generous bound.
            var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port))
            {
                UseCache = false, Recursion = recursion, Timeout = TimeSpan.FromSeconds(1), Retries = 0, ThrowDnsErrors = false, ContinueOnDnsError = true,
            });
            var deadline = DateTime.UtcNow.AddSeconds(60);
            foreach (var name in names)
            {
                while (true)
                {
                    if (_process.HasExited) throw new InvalidOperationException($"{program} exited with {_process.ExitCode}: {Output}");
                    if (DateTime.UtcNow > deadline) throw new TimeoutException($"{program} did not answer for {name}: {Output}");
                    try
                    {
                        if (await ready(client, name)) break;
                    }
                    catch (DnsResponseException)
                    {
                    }

                    await Task.Delay(100);
                }
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
