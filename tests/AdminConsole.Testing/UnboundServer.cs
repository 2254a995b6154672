using System.Diagnostics;
using System.Net;
using System.Text;
using DnsClient;

namespace AdminConsole.Testing;

/// <summary>
/// A validating resolver for tests: Debian's unbound on 127.0.0.1 on a port of its own, in the
/// foreground, asking a test <see cref="BindServer"/> for the zones it is given (stub zones) and
/// validating them against the trust anchors it is given (each zone's key-signing key).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnboundServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private Process? _unbound;

    private UnboundServer(int port)
    {
        Port = port;
        _directory = Directory.CreateTempSubdirectory("unbound-test").FullName;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static UnboundServer Reserve() => new(MailEngine.Server.Tests.EngineNodeProcess.FreePort());

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts unbound for these zones, each served by the name server at <paramref name="authoritative"/> and validated with its anchor (none: insecure).</summary>
    public async Task StartAsync(BindServer authoritative, IReadOnlyDictionary<string, string?> trustAnchors)
    {
        await StopAsync();
        var conf = new StringBuilder($$"""
            server:
                interface: 127.0.0.1
                port: {{Port}}
                do-ip6: no
                do-not-query-localhost: no
                username: ""
                chroot: ""
                directory: "{{_directory}}"
                pidfile: "{{_directory}}/unbound.pid"
                use-syslog: no
                logfile: ""
                verbosity: 1
                val-log-level: 2
                module-config: "validator iterator"
                access-control: 127.0.0.0/8 allow
                cache-max-ttl: 0
                cache-max-negative-ttl: 0

            """);
        foreach (var (zone, anchor) in trustAnchors)
        {
            // unbound answers the special-use names of RFC 6761 (.test among them) itself with NXDOMAIN: not these.
            conf.Append($"    local-zone: \"{zone[(zone.LastIndexOf('.') + 1)..]}.\" nodefault\n");
            conf.Append(anchor is null ? $"    domain-insecure: \"{zone}\"\n" : $"    trust-anchor: \"{anchor}\"\n");
        }
        foreach (var zone in trustAnchors.Keys) conf.Append($"stub-zone:\n    name: \"{zone}\"\n    stub-addr: 127.0.0.1@{authoritative.Port}\n");
        var path = Path.Combine(_directory, "unbound.conf");
        await File.WriteAllTextAsync(path, conf.ToString());

        var start = new ProcessStartInfo("/usr/sbin/unbound") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-d", "-c", path }) start.ArgumentList.Add(a);
        _unbound = Process.Start(start) ?? throw new InvalidOperationException("unbound did not start (deploy/test.sh installs unbound)");
        _unbound.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _unbound.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _unbound.BeginOutputReadLine();
        _unbound.BeginErrorReadLine();

        try
        {
            // Ready when it answers for each zone; no fixed start window, only a generous bound.
            var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port)) { UseCache = false, Timeout = TimeSpan.FromSeconds(1), Retries = 0, ThrowDnsErrors = false, ContinueOnDnsError = true });
            var deadline = DateTime.UtcNow.AddSeconds(60);
            foreach (var zone in trustAnchors.Keys)
            {
                while (true)
                {
                    if (_unbound.HasExited) throw new InvalidOperationException($"unbound exited with {_unbound.ExitCode}: {Output}");
                    if (DateTime.UtcNow > deadline) throw new TimeoutException($"unbound did not answer for {zone}: {Output}");
                    try
                    {
                        if ((await client.QueryAsync(zone, QueryType.SOA)).Answers.SoaRecords().Any()) break;
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

    private async Task StopAsync()
    {
        if (_unbound is { HasExited: false })
        {
            _unbound.Kill(entireProcessTree: true);
            await _unbound.WaitForExitAsync();
        }

        _unbound?.Dispose();
        _unbound = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
