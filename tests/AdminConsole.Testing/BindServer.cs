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
public sealed class BindServer : ForegroundServer
{
    private BindServer() : base("bind-test")
    {
        // named drops to the bind user, which must read its files and write its pid file and keys here.
        File.SetUnixFileMode(Folder, (UnixFileMode)0b111_111_111);
    }

    public static BindServer Reserve() => new();

    /// <summary>
    /// Starts named with these zones (name → master file text), stopping the one running first, and
    /// waits until it answers for each.
    /// </summary>
    /// <param name="updateKey">A TSIG key (name, base64 secret, hmac-sha256) that may update every zone (RFC 2136); none: no updates.</param>
    /// <param name="signed">Sign every zone with DNSSEC (BIND's default policy, inline signing: ECDSA P-256 keys made in the folder).</param>
    public async Task StartAsync(IReadOnlyDictionary<string, string> zones, (string Name, string Secret)? updateKey = null, bool signed = false)
    {
        var conf = new StringBuilder($$"""
            options {
                directory "{{Folder}}";
                pid-file "{{Folder}}/named.pid";
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
            var file = Path.Combine(Folder, zone + ".zone");
            await WriteReadableAsync(file, text);
            var updates = updateKey is { } k ? $" allow-update {{ key \"{k.Name}\"; }};" : "";
            var dnssec = signed ? " dnssec-policy default; inline-signing yes;" : "";
            conf.Append($"zone \"{zone}\" {{ type primary; file \"{file}\";{updates}{dnssec} }};\n");
        }

        var confPath = Path.Combine(Folder, "named.conf");
        await WriteReadableAsync(confPath, conf.ToString());

        // A signed zone is ready once its key is published (BIND signs the records before it serves the DNSKEY).
        await StartAsync("/usr/sbin/named", ["-g", "-u", "bind", "-c", confPath], zones.Keys, async (client, zone) =>
            signed ? (await client.QueryAsync(zone, QueryType.DNSKEY)).Answers.OfType<DnsClient.Protocol.DnsKeyRecord>().Any(k => k.Flags == 257)
                   : (await client.QueryAsync(zone, QueryType.SOA)).Answers.SoaRecords().Any(), recursion: false);
    }

    /// <summary>The zone's key-signing key as a trust anchor line ("zone. DNSKEY 257 3 13 …"), for a validating resolver.</summary>
    public async Task<string> TrustAnchorAsync(string zone)
    {
        var client = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, Port)) { UseCache = false, Recursion = false });
        var key = (await client.QueryAsync(zone, QueryType.DNSKEY)).Answers.OfType<DnsClient.Protocol.DnsKeyRecord>().First(k => k.Flags == 257);
        return $"{zone}. DNSKEY {key.Flags} {key.Protocol} {(int)key.Algorithm} {Convert.ToBase64String(key.PublicKey.ToArray())}";
    }
}
