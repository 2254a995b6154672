using System.Diagnostics;
using System.Net;
using System.Text;
using DnsClient;

namespace AdminConsole.Testing;

/// <summary>
/// A real authoritative name server for tests: BIND 9 (Debian bind9) on 127.0.0.1 on a port of its
/// own, serving zone files the test writes, in the foreground so it dies with the test. The port is
/// chosen first (<see cref="Reserve"/>) so a console host can be pointed at it before the zone exists.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BindServer : IAsyncDisposable
{
    private readonly string _directory;
    private Process? _named;
    private readonly StringBuilder _output = new();

    private BindServer(int port)
    {
        Port = port;
        _directory = Directory.CreateTempSubdirectory("bind-test").FullName;
        // named drops to the bind user, which must read its files and write its pid file here.
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_111_111);
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static BindServer Reserve() => new(MailEngine.Server.Tests.EngineNodeProcess.FreePort());

    /// <summary>
    /// Starts named with these zones (name → master file text), stopping the one running first, and
    /// waits until it answers for each.
    /// </summary>
    /// <param name="updateKey">A TSIG key (name, base64 secret, hmac-sha256) that may update every zone (RFC 2136); none: no updates.</param>
    /// <param name="signed">Sign every zone with DNSSEC (BIND's default policy, inline signing: ECDSA P-256 keys made in the folder).</param>
    public async Task StartAsync(IReadOnlyDictionary<string, string> zones, (string Name, string Secret)? updateKey = null, bool signed = false)
    {
        await StopAsync();
        var conf = new StringBuilder($$"""
            options {
                directory "{{_directory}}";
                pid-file "{{_directory}}/named.pid";
                listen-on port {{Port}} { 127.0.0.1; };
                listen-on-v6 { none; };
                recursion no;
                dnssec-validation no;
            };
            controls { };

            """);
        if (updateKey is { } key) conf.Append($"key \"{key.Name}\" {{ algorithm hmac-sha256; secret \"{key.Secret}\"; }};\n");
        foreach (var (zone, text) in zones)
        {
            var file = Path.Combine(_directory, zone + ".zone");
            await WriteReadableAsync(file, text);
            var updates = updateKey is { } k ? $" allow-update {{ key \"{k.Name}\"; }};" : "";
            var dnssec = signed ? " dnssec-policy default; inline-signing yes;" : "";
            conf.Append($"zone \"{zone}\" {{ type primary; file \"{file}\";{updates}{dnssec} }};\n");
        }

        var confPath = Path.Combine(_directory, "named.conf");
        await WriteReadableAsync(confPath, conf.ToString());

        var start = new ProcessStartInfo("/usr/sbin/named") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-g", "-u", "bind", "-c", confPath }) start.ArgumentList.Add(a);
        _named = Process.Start(start) ?? throw new InvalidOperationException("named did not start (deploy/test.sh installs bind9)");
        _named.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _named.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _named.BeginOutputReadLine();
        _named.BeginErrorReadLine();

        try
        {
            // Ready when it answers for every zone; no fixed start window, only a generous bound.
            var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port)) { UseCache = false, Recursion = false, Timeout = TimeSpan.FromSeconds(1), Retries = 0, ThrowDnsErrors = false, ContinueOnDnsError = true });
            var deadline = DateTime.UtcNow.AddSeconds(60);
            foreach (var zone in zones.Keys)
            {
                while (true)
                {
                    if (_named.HasExited) throw new InvalidOperationException($"named exited with {_named.ExitCode}: {Output}");
                    if (DateTime.UtcNow > deadline) throw new TimeoutException($"named did not answer for {zone}: {Output}");
                    try
                    {
                        // A signed zone is ready once its key is published (BIND signs the records before it serves the DNSKEY).
                        if (signed ? (await client.QueryAsync(zone, QueryType.DNSKEY)).Answers.OfType<DnsClient.Protocol.DnsKeyRecord>().Any(k => k.Flags == 257)
                                   : (await client.QueryAsync(zone, QueryType.SOA)).Answers.SoaRecords().Any()) break;
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

    /// <summary>The zone's key-signing key as a trust anchor line ("zone. DNSKEY 257 3 13 …"), for a validating resolver.</summary>
    public async Task<string> TrustAnchorAsync(string zone)
    {
        var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port)) { UseCache = false, Recursion = false });
        var key = (await client.QueryAsync(zone, QueryType.DNSKEY)).Answers.OfType<DnsClient.Protocol.DnsKeyRecord>().First(k => k.Flags == 257);
        return $"{zone}. DNSKEY {key.Flags} {key.Protocol} {(int)key.Algorithm} {Convert.ToBase64String(key.PublicKey.ToArray())}";
    }

    /// <summary>A file named can read: the test process may run with a private umask (the in-process engine sets one).</summary>
    private static async Task WriteReadableAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    private async Task StopAsync()
    {
        if (_named is { HasExited: false })
        {
            _named.Kill(entireProcessTree: true);
            await _named.WaitForExitAsync();
        }

        _named?.Dispose();
        _named = null;
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
