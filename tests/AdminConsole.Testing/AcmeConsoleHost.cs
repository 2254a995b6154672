using System.Globalization;

namespace AdminConsole.Testing;

/// <summary>
/// A console whose ACME CA is Debian's pebble on 127.0.0.1: pebble resolves the names in a BIND zone
/// (mail, imap and alpn at 127.0.0.1, refused at 127.0.0.2 where nothing listens) and validates
/// HTTP-01 on the console's HTTP port and TLS-ALPN-01 on its HTTPS port. The console trusts pebble's
/// HTTPS root and the upload tests' CA root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AcmeConsoleHost : ConsoleHost
{
    public const string Zone = "acme.test";

    /// <summary>The names pebble validates: mail, imap and alpn at 127.0.0.1 (where the console answers), refused at 127.0.0.2, where nothing listens.</summary>
    public const string ZoneText = $"$ORIGIN {Zone}.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\nmail IN A 127.0.0.1\nimap IN A 127.0.0.1\nalpn IN A 127.0.0.1\nrefused IN A 127.0.0.2\n";

    /// <summary>
    /// A zone none of the console's domains holds: its dns-01 records go through the operator's hook
    /// (<see cref="HookFile"/>), which updates the test BIND itself, as a script for another DNS provider would.
    /// </summary>
    public const string HookZone = "hook.test";

    /// <summary>The TSIG key the console's RFC 2136 publisher updates the zone with (dns-01).</summary>
    public static readonly (string Name, string Secret) UpdateKey = ("acme-key", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
    public BindServer Dns { get; } = BindServer.Reserve();
    public PebbleServer Pebble { get; } = PebbleServer.Reserve();
    public UploadCa Uploads { get; } = new();

    private readonly string _roots = Path.Combine(Path.GetTempPath(), $"acme-roots-{Guid.NewGuid():N}.pem");
    private readonly string _hookFolder = Directory.CreateTempSubdirectory("dns01-hook").FullName;

    /// <summary>The dns-01 hook: <c>add|remove NAME VALUE</c>, by RFC 2136 to the test BIND (dnspython); names under fail. are refused.</summary>
    public string HookFile => Path.Combine(_hookFolder, "dns01-hook");

    /// <summary>Every call of the hook, one line each: "add NAME VALUE".</summary>
    public string HookCalls => Path.Combine(_hookFolder, "calls");

    protected override bool Https => true;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Certificates:TrustedRootsFile"] = _roots,
        ["Certificates:Dns01Hook"] = HookFile,
        // The live check (dns-01: is the record on every name server?) asks the test BIND.
        ["Dns:Resolvers:0"] = Dns.Endpoint,
        ["Dns:AuthoritativePort"] = Dns.Port.ToString(CultureInfo.InvariantCulture),
        ["Dns:CheckTimeout"] = "00:00:05",
        ["Certificates:Acme:ValidationTimeout"] = "00:01:30",
        ["Certificates:Acme:RetryInterval"] = "01:00:00",
        // Clients that send no SNI get the certificate for the node's host name.
        ["Engine:HostName"] = "mail." + Zone,
    };

    public override async Task InitializeAsync()
    {
        File.WriteAllText(_roots, File.ReadAllText(Pebble.HttpsRootFile) + "\n" + Uploads.RootPem);
        File.WriteAllText(HookFile, $$"""
            #!/bin/bash
            echo "$1 $2 $3" >> '{{HookCalls}}'
            case "$2" in _acme-challenge.fail.*) echo "the provider refused $2: quota exceeded" >&2; exit 3;; esac
            exec /usr/bin/python3 - "$@" <<'PY'
            import sys, dns.update, dns.query, dns.tsigkeyring, dns.rcode
            verb, name, value = sys.argv[1:4]
            update = dns.update.Update("{{HookZone}}.", keyring=dns.tsigkeyring.from_text({"{{UpdateKey.Name}}": "{{UpdateKey.Secret}}"}), keyalgorithm="hmac-sha256")
            if verb == "add":
                update.add(name + ".", 60, "TXT", '"' + value + '"')
            else:
                update.delete(name + ".", "TXT", '"' + value + '"')
            answer = dns.query.tcp(update, "127.0.0.1", port={{Dns.Port}}, timeout=10)
            if answer.rcode() != 0:
                sys.exit("update refused: " + dns.rcode.to_text(answer.rcode()))
            PY
            """.Replace("\r", ""));
        File.SetUnixFileMode(HookFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await base.InitializeAsync();
        await Dns.StartAsync(new Dictionary<string, string>
        {
            [Zone] = ZoneText,
            [HookZone] = $"$ORIGIN {HookZone}.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n",
        }, UpdateKey);
        // pebble's validator connects to the console's HTTP port for HTTP-01 and its HTTPS port for TLS-ALPN-01.
        await Pebble.StartAsync(Dns, Factory.BaseAddress.Port, Factory.HttpsAddress.Port);
    }

    public string DirectoryUrl => Pebble.Directory.ToString();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Pebble.DisposeAsync();
        await Dns.DisposeAsync();
        Uploads.Dispose();
        File.Delete(_roots);
        Directory.Delete(_hookFolder, recursive: true);
    }

    public static string Port(System.Net.IPEndPoint endpoint) => endpoint.Port.ToString(CultureInfo.InvariantCulture);
}
