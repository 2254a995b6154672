using System.Text;
using DnsClient;

namespace AdminConsole.Testing;

/// <summary>
/// A validating resolver for tests: Debian's unbound on 127.0.0.1 on a port of its own, in the
/// foreground, asking a test <see cref="BindServer"/> for the zones it is given (stub zones) and
/// validating them against the trust anchors it is given (each zone's key-signing key).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnboundServer : ForegroundServer
{
    private UnboundServer() : base("unbound-test")
    {
    }

    public static UnboundServer Reserve() => new();

    /// <summary>Starts unbound for these zones, each served by the name server at <paramref name="authoritative"/> and validated with its anchor (none: insecure).</summary>
    public async Task StartAsync(BindServer authoritative, IReadOnlyDictionary<string, string?> trustAnchors)
    {
        var conf = new StringBuilder($$"""
            server:
                interface: 127.0.0.1
                port: {{Port}}
                do-ip6: no
                do-not-query-localhost: no
                username: ""
                chroot: ""
                directory: "{{Folder}}"
                pidfile: "{{Folder}}/unbound.pid"
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
        var path = Path.Combine(Folder, "unbound.conf");
        await WriteReadableAsync(path, conf.ToString());
        await StartAsync("/usr/sbin/unbound", ["-d", "-c", path], trustAnchors.Keys,
            async (client, zone) => (await client.QueryAsync(zone, QueryType.SOA)).Answers.SoaRecords().Any(), recursion: true);
    }
}
