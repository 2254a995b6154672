using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailEngine.Auth.Arc;
using MailEngine.Contracts;
using MailEngine.Dkim;
using MailEngine.Dns;
using MailEngine.Tests.Support;
using MimeKit;

namespace MailEngine.Tests.Auth.Arc;

/// <summary>
/// ARC (RFC 8617, issue #16 item 4): a chain sealed by dkimpy (a mailing list's mail system) passes
/// our verification and its newest results are read; our seal on top of it, and a first seal of
/// ours, pass dkimpy's arc_verify; a body changed after the seal, a missing key, an incomplete set or
/// a damaged seal each fail with a reason, never an exception; and a chain that already failed is
/// not sealed again.
/// </summary>
public sealed class ArcChainTests : IDisposable
{
    private const string Ours = "mx.example.test";
    private readonly RSA _list = RSA.Create(2048);
    private static readonly (byte[] Key, string Public) OurRsa = DkimKeyMaterial.Generate(ed25519: false);
    private static readonly (byte[] Key, string Public) OurEd = DkimKeyMaterial.Generate(ed25519: true);

    private const string Original =
        "From: Sam <sam@sender.example>\r\nTo: list@lists.example\r\nSubject: the plan\r\nDate: Wed, 02 Dec 2026 08:00:00 +0000\r\n"
        + "Message-ID: <p1@sender.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe plan is on the wiki.\r\n";

    public void Dispose() => _list.Dispose();

    private static SnapshotDomain OurDomain() => new("example.test", 10 * 1024 * 1024, DkimKeys:
    [
        new SnapshotDkimKey("202612e", SnapshotDkimKey.Ed25519Sha256, OurEd.Key),
        new SnapshotDkimKey("202612r", SnapshotDkimKey.RsaSha256, OurRsa.Key),
    ]);

    private Dictionary<string, string> Records() => new()
    {
        ["lst._domainkey.lists.example"] = $"v=DKIM1; k=rsa; p={Convert.ToBase64String(_list.ExportSubjectPublicKeyInfo())}",
        ["202612r._domainkey.example.test"] = DkimKeyMaterial.RecordValue(false, OurRsa.Public),
        ["202612e._domainkey.example.test"] = DkimKeyMaterial.RecordValue(true, OurEd.Public),
    };

    private ZoneLookup Zone(params string[] without)
    {
        var zone = new ZoneLookup();
        foreach (var (name, value) in Records().Where(r => !without.Contains(r.Key))) zone.Add(name, DnsRecordKind.Txt, value);
        return zone;
    }

    private static MimeMessage Load(string text) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));

    private static string Text(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(FormatOptions.Default, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private Task<ArcVerdict> VerifyAsync(string text, ZoneLookup? zone = null) => new ArcVerification(zone ?? Zone()).VerifyAsync(Load(text), CancellationToken.None);

    private static async Task<string> DkimpyAsync(string folder, params string[] args)
    {
        var (exit, output) = await ExternalTool.RunAsync("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Dkim", "arc_dkimpy.py"), .. args]);
        Assert.True(exit == 0, output);
        return output;
    }

    /// <summary>The list's hop: it received the message (its Authentication-Results: DMARC passed), tagged the subject, and sealed with dkimpy.</summary>
    private async Task<string> ListSealedAsync(string dmarc = "pass")
    {
        var folder = Directory.CreateTempSubdirectory("arc").FullName;
        try
        {
            var received = $"Authentication-Results: lists.example; spf=pass smtp.mailfrom=sender.example; dkim=pass header.d=sender.example; dmarc={dmarc} header.from=sender.example\r\n"
                + Original.Replace("Subject: the plan", "Subject: [team] the plan", StringComparison.Ordinal);
            var (message, key) = (Path.Combine(folder, "m.eml"), Path.Combine(folder, "k.pem"));
            await File.WriteAllTextAsync(message, received);
            await File.WriteAllTextAsync(key, _list.ExportRSAPrivateKeyPem());
            return await DkimpyAsync(folder, "sign", message, key, "lists.example", "lst", "lists.example");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<string> DkimpyVerifyAsync(string text)
    {
        var folder = Directory.CreateTempSubdirectory("arc").FullName;
        try
        {
            var (message, keys) = (Path.Combine(folder, "m.eml"), Path.Combine(folder, "keys.json"));
            await File.WriteAllTextAsync(message, text);
            await File.WriteAllTextAsync(keys, JsonSerializer.Serialize(Records()));
            return (await DkimpyAsync(folder, "verify", message, keys)).Trim();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<MimeMessage> OurSealAsync(string text, string results)
    {
        var message = Load($"Authentication-Results: {Ours}; {results}\r\n" + text);
        var sealer = new ArcSealing(new ArcVerification(Zone()), Ours, TimeProvider.System, new MailEngine.Telemetry.EngineCounters());
        Assert.True(await sealer.SealAsync(message, OurDomain(), CancellationToken.None));
        return message;
    }

    [Fact]
    public async Task A_chain_sealed_by_dkimpy_passes_and_its_newest_results_are_read()
    {
        var verdict = await VerifyAsync(await ListSealedAsync());

        Assert.Equal(ArcResult.Pass, verdict.Result);
        var seal = Assert.Single(verdict.Seals);
        Assert.Equal((1, "lists.example", "lst", "none", true), (seal.Instance, seal.Domain, seal.Selector, seal.ChainValidation, seal.Verified));
        Assert.Equal("lists.example", verdict.NewestSealer);
        Assert.Contains("dmarc=pass", verdict.NewestResultsText, StringComparison.Ordinal);
        Assert.True(verdict.Vouches(["lists.example"]));
        Assert.True(verdict.Vouches(["example"]), "a listed parent domain covers its subdomains");
        Assert.False(verdict.Vouches(["other.example"]));
        Assert.False(verdict.Vouches(null));
        Assert.False((await VerifyAsync(await ListSealedAsync(dmarc: "fail"))).Vouches(["lists.example"]), "the list saw DMARC fail: nothing to vouch for");
    }

    [Fact]
    public async Task Our_seal_on_top_of_the_list_s_verifies_with_dkimpy_and_with_ours()
    {
        var sealedByUs = Text(await OurSealAsync(await ListSealedAsync(), "dkim=fail header.d=sender.example; dmarc=fail header.from=sender.example; arc=pass"));

        Assert.StartsWith("pass", await DkimpyVerifyAsync(sealedByUs), StringComparison.Ordinal);
        var verdict = await VerifyAsync(sealedByUs);
        Assert.Equal(ArcResult.Pass, verdict.Result);
        Assert.Equal([(1, "lists.example", "none"), (2, "example.test", "pass")], verdict.Seals.Select(s => (s.Instance, s.Domain, s.ChainValidation)));
        // RSA is chosen when the domain also has an Ed25519 key: every ARC verifier knows RSA.
        Assert.Equal("202612r", verdict.Seals[1].Selector);
        Assert.Contains("arc=pass", verdict.NewestResultsText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Our_first_seal_has_cv_none_and_verifies_with_dkimpy()
    {
        var sealedByUs = Text(await OurSealAsync(Original, "spf=pass smtp.mailfrom=sender.example; dmarc=pass header.from=sender.example; arc=none"));

        Assert.StartsWith("pass", await DkimpyVerifyAsync(sealedByUs), StringComparison.Ordinal);
        var seal = Assert.Single((await VerifyAsync(sealedByUs)).Seals);
        Assert.Equal((1, "none", true), (seal.Instance, seal.ChainValidation, seal.Verified));
        Assert.Contains($"ARC-Authentication-Results: i=1; {Ours}", sealedByUs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_changed_after_the_seal_fails_for_us_and_for_dkimpy()
    {
        var altered = (await ListSealedAsync()).Replace("on the wiki", "at evil.example", StringComparison.Ordinal);

        var verdict = await VerifyAsync(altered);
        Assert.Equal(ArcResult.Fail, verdict.Result);
        Assert.Contains("ARC-Message-Signature does not verify", verdict.Reason, StringComparison.Ordinal);
        Assert.StartsWith("fail", await DkimpyVerifyAsync(altered), StringComparison.Ordinal);
        Assert.False(verdict.Vouches(["lists.example"]));
    }

    [Fact]
    public async Task A_missing_key_an_incomplete_set_and_a_damaged_seal_fail_with_reasons()
    {
        var chain = await ListSealedAsync();

        var noKey = await VerifyAsync(chain, Zone("lst._domainkey.lists.example"));
        Assert.Equal(ArcResult.Fail, noKey.Result);
        Assert.Contains("no key record at lst._domainkey.lists.example", noKey.Reason, StringComparison.Ordinal);

        var failing = new ZoneLookup();
        failing.Fail("lst._domainkey.lists.example");
        var lookupFailed = await VerifyAsync(chain, failing);
        Assert.Equal(ArcResult.Fail, lookupFailed.Result);
        Assert.Contains("key lookup lst._domainkey.lists.example failed", lookupFailed.Reason, StringComparison.Ordinal);

        var withoutAar = string.Join("\r\n", Unfolded(chain).Where(l => !l.StartsWith("ARC-Authentication-Results:", StringComparison.OrdinalIgnoreCase)));
        var incomplete = await VerifyAsync(withoutAar);
        Assert.Equal(ArcResult.Fail, incomplete.Result);
        Assert.Contains("incomplete", incomplete.Reason, StringComparison.Ordinal);

        var damaged = string.Join("\r\n", Unfolded(chain).Select(l => l.StartsWith("ARC-Seal:", StringComparison.OrdinalIgnoreCase) ? l[..(l.IndexOf(" b=", StringComparison.Ordinal) + 3)] + "!!not*base64!!" : l));
        var broken = await VerifyAsync(damaged);
        Assert.Equal(ArcResult.Fail, broken.Result);
        Assert.Contains("ARC-Seal i=1 does not verify", broken.Reason, StringComparison.Ordinal);

        var farInstance = await VerifyAsync(chain.Replace("ARC-Seal: i=1", "ARC-Seal: i=99", StringComparison.Ordinal));
        Assert.Equal(ArcResult.Fail, farInstance.Result);
    }

    [Fact]
    public async Task A_message_without_ARC_headers_is_none()
    {
        var verdict = await VerifyAsync(Original);
        Assert.Equal((ArcResult.None, 0), (verdict.Result, verdict.Seals.Count));
    }

    [Fact]
    public async Task A_chain_a_hop_already_sealed_as_failed_is_not_sealed_again()
    {
        var chain = await ListSealedAsync();
        var failedHop = chain.Replace("cv=none", "cv=fail", StringComparison.Ordinal);
        var message = Load($"Authentication-Results: {Ours}; arc=fail\r\n" + failedHop);
        var sealer = new ArcSealing(new ArcVerification(Zone()), Ours, TimeProvider.System, new MailEngine.Telemetry.EngineCounters());

        Assert.False(await sealer.SealAsync(message, OurDomain(), CancellationToken.None));
        Assert.DoesNotContain(message.Headers, h => h.Id == HeaderId.ArcSeal && h.Value.Contains("i=2", StringComparison.Ordinal));
    }

    /// <summary>The message's header lines with folded continuations joined, then the body lines.</summary>
    private static List<string> Unfolded(string text)
    {
        var lines = new List<string>();
        var inHeader = true;
        foreach (var line in text.Split("\r\n"))
        {
            if (inHeader && line.Length == 0) inHeader = false;
            if (inHeader && line.Length > 0 && (line[0] == ' ' || line[0] == '\t') && lines.Count > 0) lines[^1] += line;
            else lines.Add(line);
        }

        return lines;
    }
}
