using System.Security.Cryptography;
using AdminConsole.Core.Dns;
using AdminConsole.Testing;

namespace AdminCtl.Tests;

/// <summary>
/// adminctl auth-check against a real name server (BIND on loopback, --dns) on messages signed by
/// Debian's dkimpy with RSA and Ed25519 keys: its SPF and DKIM verdicts are those of pyspf
/// (python3-spf) and dkimpy asked the same server, its DMARC follows from them, and the same message
/// altered and sent from another host fails each check as the Debian tools say it does (issue #16).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AuthCheckCommandTests : IAsyncLifetime
{
    private const string Domain = "sender.test";
    private readonly string _folder = Directory.CreateTempSubdirectory("auth-check").FullName;
    private readonly BindServer _bind = BindServer.Reserve();
    private readonly RSA _rsa = RSA.Create(2048);
    private string _signed = "";

    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "debian_verdicts.py");

    private const string Message =
        "From: Sam <sam@sender.test>\r\nTo: bob@example.test\r\nSubject: the quarterly figures\r\nDate: Wed, 02 Dec 2026 09:00:00 +0000\r\n" +
        "Message-ID: <q4@sender.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe figures are in the shared folder.\r\n";

    public async Task InitializeAsync()
    {
        var rsaKey = Write("rsa.pem", _rsa.ExportRSAPrivateKeyPem());
        var edKey = Path.Combine(_folder, "ed25519.key");
        var edPublic = (await PythonAsync("ed25519-key", edKey)).Trim();
        var zone = $"$ORIGIN {Domain}.\n$TTL 60\n@ IN SOA ns.{Domain}. hostmaster.{Domain}. 1 60 60 600 60\n@ IN NS ns.{Domain}.\nns IN A 127.0.0.1\n"
            + $"@ IN TXT {ZoneFile.Quoted("v=spf1 ip4:192.0.2.10 a:mail.sender.test -all")}\n"
            + "mail IN A 192.0.2.25\n"
            + $"mail IN TXT {ZoneFile.Quoted("v=spf1 a -all")}\n"
            + $"py._domainkey IN TXT {ZoneFile.Quoted($"v=DKIM1; k=rsa; p={Convert.ToBase64String(_rsa.ExportSubjectPublicKeyInfo())}")}\n"
            + $"ed._domainkey IN TXT {ZoneFile.Quoted($"v=DKIM1; k=ed25519; p={edPublic}")}\n"
            + $"_dmarc IN TXT {ZoneFile.Quoted("v=DMARC1; p=reject; rua=mailto:dmarc@sender.test")}\n";
        await _bind.StartAsync(new Dictionary<string, string> { [Domain] = zone });

        // Signed twice by dkimpy, as a sender with a key of each kind signs (RFC 8463 §4).
        var once = await PythonAsync("sign", Write("message.eml", Message), rsaKey, Domain, "py", "rsa");
        _signed = await PythonAsync("sign", Write("once.eml", once), edKey, Domain, "ed", "ed25519");
    }

    public async Task DisposeAsync()
    {
        await _bind.DisposeAsync();
        _rsa.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<string> PythonAsync(params string[] args)
    {
        var result = await ExternalProgram.RunAsync("/usr/bin/python3", [Script, .. args]);
        Assert.True(result.ExitCode == 0, result.Errors + result.Output);
        return result.Output;
    }

    private Task<AdminCtlRunner.Result> AuthCheckAsync(string message, string ip, string mailFrom, string helo) =>
        AdminCtlRunner.RunAsync("unused", "auth-check", message, "--client-ip", ip, "--helo", helo, "--mail-from", mailFrom,
            "--dns", $"127.0.0.1:{_bind.Port}", "--authserv-id", "mx.example.test");

    /// <summary>The verdicts in the Debian tools' words: "spf mail-from pass", "spf helo fail", "dkim sender.test py pass".</summary>
    private static List<string> Verdicts(string adminctl) => adminctl.Split('\n')
        .Select(line => line.Split(" - ", 2)[0])
        .Select(head => head switch
        {
            _ when head.StartsWith("spf mail-from ", StringComparison.Ordinal) => "spf mail-from " + head.Split(": ")[1].Split(' ')[0],
            _ when head.StartsWith("spf helo ", StringComparison.Ordinal) => "spf helo " + head.Split(": ")[1].Split(' ')[0],
            _ when head.StartsWith("dkim d=", StringComparison.Ordinal) => $"dkim {Tag(head, "d")} {Tag(head, "s")} {head.Split(": ")[1].Split(' ')[0]}",
            _ => null,
        })
        .OfType<string>().ToList();

    private static string Tag(string head, string tag) => head.Split(' ').Single(t => t.StartsWith(tag + "=", StringComparison.Ordinal))[(tag.Length + 1)..];

    private async Task<List<string>> DebianAsync(string message, string ip, string mailFrom, string helo) =>
        [.. (await PythonAsync("check", message, ip, mailFrom, helo, _bind.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))).Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    [Fact]
    public async Task Mail_from_the_senders_host_passes_every_check_as_pyspf_and_dkimpy_say()
    {
        var message = Write("signed.eml", _signed);
        var result = await AuthCheckAsync(message, "192.0.2.25", "sam@sender.test", "mail.sender.test");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var ours = Verdicts(result.Stdout);
        Assert.Equal(await DebianAsync(message, "192.0.2.25", "sam@sender.test", "mail.sender.test"), ours);
        Assert.Equal(["spf mail-from pass", "spf helo pass", "dkim sender.test ed pass", "dkim sender.test py pass"], ours);
        Assert.Contains("spf mail-from sam@sender.test: pass (matched a:mail.sender.test)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("dmarc sender.test: pass (p=reject, disposition none)", result.Stdout, StringComparison.Ordinal);
        // The header the engine would add, after the verdicts.
        Assert.Contains("Authentication-Results: mx.example.test;\n\tspf=pass (", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("dkim=pass (signed by sender.test with ed._domainkey.sender.test) header.d=sender.test header.s=ed header.b=", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("dmarc=pass (p=reject dis=none) header.from=sender.test", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_altered_message_from_another_host_fails_every_check_as_pyspf_and_dkimpy_say()
    {
        var message = Write("altered.eml", _signed.Replace("in the shared folder", "attached, open them now", StringComparison.Ordinal));
        var result = await AuthCheckAsync(message, "203.0.113.9", "sam@sender.test", "mail.sender.test");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var ours = Verdicts(result.Stdout);
        Assert.Equal(await DebianAsync(message, "203.0.113.9", "sam@sender.test", "mail.sender.test"), ours);
        Assert.Equal(["spf mail-from fail", "spf helo fail", "dkim sender.test ed fail", "dkim sender.test py fail"], ours);
        Assert.Contains("spf mail-from sam@sender.test: fail (matched -all)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("dmarc sender.test: fail (p=reject, disposition reject)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_with_the_reason()
    {
        var message = Write("plain.eml", Message);
        var badIp = await AdminCtlRunner.RunAsync("unused", "auth-check", message, "--client-ip", "192.0.2.300", "--helo", "h.test", "--mail-from", "a@b.test");
        Assert.Equal(2, badIp.ExitCode);
        Assert.Contains("--client-ip 192.0.2.300: not an IPv4 or IPv6 address", badIp.Stderr, StringComparison.Ordinal);
        var badDns = await AdminCtlRunner.RunAsync("unused", "auth-check", message, "--client-ip", "192.0.2.1", "--helo", "h.test", "--mail-from", "a@b.test", "--dns", "ns.example:53");
        Assert.Equal(2, badDns.ExitCode);
        Assert.Contains("is not an address or address:port", badDns.Stderr, StringComparison.Ordinal);
        var missing = await AdminCtlRunner.RunAsync("unused", "auth-check", message, "--client-ip", "192.0.2.1");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("auth-check MESSAGE --client-ip IP", missing.Stderr, StringComparison.Ordinal);
        var none = await AdminCtlRunner.RunAsync("unused", "auth-check", Path.Combine(_folder, "absent.eml"), "--client-ip", "192.0.2.1", "--helo", "h.test", "--mail-from", "<>");
        Assert.Equal(1, none.ExitCode);
    }
}
