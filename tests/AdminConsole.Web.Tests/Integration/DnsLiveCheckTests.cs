using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AdminConsole.Core.Dns;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// The live check against a real authoritative server: records published right match, published
/// wrong are a mismatch with the value found, not published are missing; the result is kept and
/// gives each record its status; a domain without a zone says so.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DnsLiveCheckTests(DnsCheckHost host) : IClassFixture<DnsCheckHost>
{
    [Fact]
    public async Task Records_published_right_wrong_and_not_at_all_are_match_mismatch_and_missing_per_name_server()
    {
        using var client = await host.ApiClientAsync();
        const string domain = "live.test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        var records = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns")).GetProperty("records").EnumerateArray().ToList();
        string Value(Func<JsonElement, bool> which) => records.Single(which).GetProperty("value").GetString()!;
        var rsa = records.Single(r => r.GetProperty("value").GetString()!.Contains("k=rsa", StringComparison.Ordinal));
        var submissions = Value(r => r.GetProperty("name").GetString() == $"_submissions._tcp.{domain}");

        // What the operator published: some right, the SPF and autoconfig wrong, the Ed25519 key and CAA not at all.
        var zone = new StringBuilder($"$ORIGIN {domain}.\n$TTL 300\n@ IN SOA ns1.{domain}. hostmaster.{domain}. 1 3600 600 86400 300\n@ IN NS ns1.{domain}.\nns1 IN A 127.0.0.1\n");
        zone.Append("@ IN MX 10 mx.console.test.\n");
        zone.Append("@ IN TXT \"v=spf1 a -all\"\n");
        zone.Append("@ IN TXT \"google-site-verification=unrelated\"\n");
        zone.Append($"{rsa.GetProperty("name").GetString()}. IN TXT {ZoneFile.Quoted(rsa.GetProperty("value").GetString()!)}\n");
        zone.Append($"_dmarc IN TXT {ZoneFile.Quoted(Value(r => r.GetProperty("name").GetString() == $"_dmarc.{domain}"))}\n");
        zone.Append($"_submissions._tcp IN SRV {submissions}\n");
        zone.Append("autoconfig IN CNAME elsewhere.example.\n");
        await host.Bind.StartAsync(new Dictionary<string, string> { [domain] = zone.ToString() });

        using var checkResponse = await client.PostAsync($"/api/v1/domains/{domain}/dns/check", null);
        Assert.Equal(HttpStatusCode.OK, checkResponse.StatusCode);
        var checkedDns = await checkResponse.Content.ReadFromJsonAsync<JsonElement>();
        var check = checkedDns.GetProperty("check");
        Assert.Equal(domain, check.GetProperty("zone").GetString());
        Assert.Equal([$"ns1.{domain}"], check.GetProperty("nameServers").EnumerateArray().Select(n => n.GetString()));
        Assert.False(check.GetProperty("signed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, check.GetProperty("error").ValueKind);

        var status = checkedDns.GetProperty("records").EnumerateArray().ToDictionary(r => (r.GetProperty("name").GetString()!, r.GetProperty("type").GetString()!, r.GetProperty("value").GetString()!), r => r.GetProperty("status").GetString());
        string StatusOf(string name, string type, Func<string, bool>? value = null) => status.Single(s => s.Key.Item1 == name && s.Key.Item2 == type && (value is null || value(s.Key.Item3))).Value!;
        Assert.Equal("match", StatusOf(domain, "MX"));
        Assert.Equal("mismatch", StatusOf(domain, "TXT"));
        Assert.Equal("match", StatusOf(rsa.GetProperty("name").GetString()!, "TXT"));
        Assert.Equal("missing", StatusOf(records.Single(r => r.GetProperty("value").GetString()!.Contains("k=ed25519", StringComparison.Ordinal)).GetProperty("name").GetString()!, "TXT"));
        Assert.Equal("match", StatusOf($"_dmarc.{domain}", "TXT"));
        Assert.Equal("match", StatusOf($"_submissions._tcp.{domain}", "SRV"));
        Assert.Equal("missing", StatusOf($"_imaps._tcp.{domain}", "SRV"));
        Assert.Equal("mismatch", StatusOf($"autoconfig.{domain}", "CNAME"));
        Assert.Equal("missing", StatusOf(domain, "CAA"));

        // The history keeps what each server said, the value found included.
        var history = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns/checks");
        var spf = history.GetProperty("items")[0].GetProperty("records").EnumerateArray().Single(r => r.GetProperty("expected").GetString() == "v=spf1 mx -all");
        var answer = Assert.Single(spf.GetProperty("answers").EnumerateArray());
        Assert.Equal($"ns1.{domain}", answer.GetProperty("nameServer").GetString());
        Assert.Equal("v=spf1 a -all", answer.GetProperty("found").GetString());

        // The record list shows the same status afterwards.
        var again = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns");
        Assert.Equal("mismatch", again.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("value").GetString() == "v=spf1 mx -all").GetProperty("status").GetString());
        Assert.True(again.GetProperty("check").GetProperty("broken").GetInt32() > 0);
    }

    [Fact]
    public async Task The_ten_minute_job_checks_only_domains_whose_records_changed_since_their_last_check()
    {
        using var client = await host.ApiClientAsync();
        const string domain = "changed.test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        await host.Bind.StartAsync(new Dictionary<string, string> { [domain] = $"$TTL 300\n@ IN SOA ns1.{domain}. h.{domain}. 1 3600 600 86400 300\n@ IN NS ns1.{domain}.\nns1 IN A 127.0.0.1\n" });
        async Task<int> ChecksAsync()
        {
            await using var db = host.Database.CreateContext();
            return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.DnsChecks, c => c.Domain!.Name == domain);
        }

        async Task RunJobAsync()
        {
            using var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Microsoft.Extensions.DependencyInjection.IServiceScopeFactory>(host.Factory.Services).CreateScope();
            await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<DnsCheckJob>(scope.ServiceProvider).RunChangedAsync(CancellationToken.None);
        }

        // Never checked: checked. Unchanged since: not again. A changed DMARC record: checked again.
        await RunJobAsync();
        Assert.Equal(1, await ChecksAsync());
        await RunJobAsync();
        Assert.Equal(1, await ChecksAsync());
        (await client.PatchAsync($"/api/v1/domains/{domain}", Json("""{"dmarcPolicy":"quarantine"}"""))).EnsureSuccessStatusCode();
        await RunJobAsync();
        Assert.Equal(2, await ChecksAsync());
        var check = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns");
        Assert.Equal("missing", check.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("name").GetString() == $"_dmarc.{domain}").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_domain_whose_zone_does_not_exist_is_a_clear_error()
    {
        using var client = await host.ApiClientAsync();
        (await client.PostAsync("/api/v1/domains", Json("""{"name":"nozone.example"}"""))).EnsureSuccessStatusCode();
        await host.Bind.StartAsync(new Dictionary<string, string> { ["other.test"] = "$TTL 300\n@ IN SOA ns1.other.test. h.other.test. 1 3600 600 86400 300\n@ IN NS ns1.other.test.\nns1 IN A 127.0.0.1\n" });
        var body = await (await client.PostAsync("/api/v1/domains/nozone.example/dns/check", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("No zone holds nozone.example", body.GetProperty("check").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(-1, body.GetProperty("check").GetProperty("broken").GetInt32());
        Assert.All(body.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("inZone").GetBoolean()), r => Assert.Equal("unchecked", r.GetProperty("status").GetString()));
        await ProblemAsync(await client.PostAsync("/api/v1/domains/unknown.example/dns/check", null), HttpStatusCode.NotFound);
    }
}

/// <summary>RFC 2136 publishing against a real BIND 9 that takes TSIG-signed updates.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DnsPublishTests(DnsCheckHost host) : IClassFixture<DnsCheckHost>
{
    private static readonly string Secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static string Zone(string domain, string extra) =>
        $"$ORIGIN {domain}.\n$TTL 300\n@ IN SOA ns1.{domain}. hostmaster.{domain}. 1 3600 600 86400 300\n@ IN NS ns1.{domain}.\nns1 IN A 127.0.0.1\n{extra}";

    [Fact]
    public async Task Publish_sends_exactly_the_missing_and_wrong_records_keeps_unrelated_ones_and_the_check_turns_green()
    {
        using var client = await host.ApiClientAsync();
        const string domain = "publish.test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        await host.Bind.StartAsync(new Dictionary<string, string>
        {
            [domain] = Zone(domain, "@ IN MX 10 mx.console.test.\n@ IN TXT \"v=spf1 a -all\"\n@ IN TXT \"site-verification=keep-me\"\n"),
        }, ("console-key", Secret));

        // A secret that is not base64 is refused beside its field; nothing is stored.
        var bad = await ProblemAsync(await client.PutAsync($"/api/v1/domains/{domain}/dns/publisher",
            Json($$"""{"server":"{{host.Bind.Endpoint}}","keyName":"console-key","secret":"not base64!"}""")), HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("secret", out _));
        await ProblemAsync(await client.GetAsync($"/api/v1/domains/{domain}/dns/publisher"), HttpStatusCode.NotFound);

        using var set = await client.PutAsync($"/api/v1/domains/{domain}/dns/publisher",
            Json($$"""{"server":"{{host.Bind.Endpoint}}","keyName":"console-key","algorithm":"hmac-sha256","secret":"{{Secret}}"}"""));
        var setText = await set.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.DoesNotContain(Secret, setText, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, await client.GetStringAsync($"/api/v1/domains/{domain}/dns/publisher"), StringComparison.Ordinal);
        await using (var db = host.Database.CreateContext())
            Assert.DoesNotContain(Secret, Convert.ToBase64String(db.DnsPublisherSettings.Single().SealedSecret), StringComparison.Ordinal);

        using var publish = await client.PostAsync($"/api/v1/domains/{domain}/dns/publish", null);
        var body = await publish.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(publish.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal([$"{domain} TXT"], body.GetProperty("replaced").EnumerateArray().Select(e => e.GetString()));
        var added = body.GetProperty("added").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.DoesNotContain($"{domain} MX", added); // already right: not sent again
        Assert.Contains($"_dmarc.{domain} TXT", added);
        Assert.All(body.GetProperty("dns").GetProperty("records").EnumerateArray().Where(r => r.GetProperty("inZone").GetBoolean()),
            r => Assert.Equal("match", r.GetProperty("status").GetString()));

        // The site verification beside the SPF record is still there.
        var txt = await new DnsClient.LookupClient(new DnsClient.LookupClientOptions(new DnsClient.NameServer(IPAddress.Loopback, host.Bind.Port)) { UseCache = false })
            .QueryAsync(domain, DnsClient.QueryType.TXT);
        var values = txt.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToList();
        Assert.Contains("site-verification=keep-me", values);
        Assert.Equal(["v=spf1 mx -all"], values.Where(v => v.StartsWith("v=spf1", StringComparison.Ordinal)));

        // A second publish has nothing to send.
        var again = await (await client.PostAsync($"/api/v1/domains/{domain}/dns/publish", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(again.GetProperty("added").EnumerateArray());
        Assert.Empty(again.GetProperty("replaced").EnumerateArray());
    }

    [Fact]
    public async Task A_server_that_refuses_the_key_is_a_clear_error_and_nothing_is_published()
    {
        using var client = await host.ApiClientAsync();
        const string domain = "refused.test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        await host.Bind.StartAsync(new Dictionary<string, string> { [domain] = Zone(domain, "") }, ("console-key", Secret));
        var wrong = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        (await client.PutAsync($"/api/v1/domains/{domain}/dns/publisher", Json($$"""{"server":"{{host.Bind.Endpoint}}","keyName":"console-key","secret":"{{wrong}}"}"""))).EnsureSuccessStatusCode();

        var problem = await ProblemAsync(await client.PostAsync($"/api/v1/domains/{domain}/dns/publish", null), HttpStatusCode.BadRequest);
        Assert.Contains("refused the key console-key", problem.GetProperty("errors").GetProperty("publisher")[0].GetString(), StringComparison.Ordinal);
        var check = await (await client.PostAsync($"/api/v1/domains/{domain}/dns/check", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(check.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("inZone").GetBoolean()), r => Assert.Equal("missing", r.GetProperty("status").GetString()));
    }
}
