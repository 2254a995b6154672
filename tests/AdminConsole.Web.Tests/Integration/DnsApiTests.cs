using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// /api/v1/domains/{name}/dns and its zone export: every record a domain needs, computed from its
/// settings and keys, and a master-file fragment that BIND's named-checkzone accepts and reads back
/// to the same values (a 2048-bit DKIM key is longer than one 255-byte TXT string).
/// </summary>
public sealed class DnsApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static async Task<string> DomainAsync(HttpClient client, string? name = null)
    {
        name ??= $"d{Guid.NewGuid():N}"[..12] + ".test";
        using var response = await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{name}}"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString()!;
    }

    [Fact]
    public async Task A_domain_lists_every_record_it_needs_with_its_purpose_and_the_DKIM_records_of_its_keys()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainAsync(client);
        var dns = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns");
        Assert.Equal("mx.console.test", dns.GetProperty("mailHost").GetString());
        var records = dns.GetProperty("records").EnumerateArray().ToList();
        string Value(string name, string type) => Assert.Single(records, r => r.GetProperty("name").GetString() == name && r.GetProperty("type").GetString() == type).GetProperty("value").GetString()!;

        Assert.Equal("10 mx.console.test.", Value(domain, "MX"));
        Assert.Equal("v=spf1 mx -all", Value(domain, "TXT"));
        Assert.Equal($"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}", Value($"_dmarc.{domain}", "TXT"));
        Assert.Matches("^v=STSv1; id=[0-9a-f]{20}$", Value($"_mta-sts.{domain}", "TXT"));
        Assert.Equal($"v=TLSRPTv1; rua=mailto:tls-reports@{domain}", Value($"_smtp._tls.{domain}", "TXT"));
        Assert.Equal("0 1 465 mx.console.test.", Value($"_submissions._tcp.{domain}", "SRV"));
        Assert.Equal("0 1 993 mx.console.test.", Value($"_imaps._tcp.{domain}", "SRV"));
        Assert.Equal("mx.console.test.", Value($"autoconfig.{domain}", "CNAME"));
        Assert.Equal("0 issue \"letsencrypt.org\"", Value(domain, "CAA"));
        Assert.All(records, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("purpose").GetString())));
        Assert.All(records, r => Assert.Equal("unchecked", r.GetProperty("status").GetString()));

        var keys = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dkim")).GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(2, keys.Count);
        foreach (var key in keys)
            Assert.Equal(key.GetProperty("recordValue").GetString(), Value(key.GetProperty("recordName").GetString()!, "TXT"));

        // The reports have nowhere to land yet: said, until the report addresses exist.
        var warnings = dns.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains($"dmarc-reports@{domain}, which is no mailbox or group here", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains($"tls-reports@{domain}", StringComparison.Ordinal));
        (await client.PostAsync("/api/v1/groups", Json($$"""{"address":"dmarc-reports@{{domain}}","members":["admin@elsewhere.test"]}"""))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v1/groups", Json($$"""{"address":"tls-reports@{{domain}}","members":["admin@elsewhere.test"]}"""))).EnsureSuccessStatusCode();
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns")).GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task The_DMARC_policy_steps_from_none_to_reject_and_a_bad_one_is_refused_beside_its_field()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainAsync(client);
        foreach (var policy in new[] { "quarantine", "reject", "reject" })
        {
            using var patched = await client.PatchAsync($"/api/v1/domains/{domain}", Json($$"""{"dmarcPolicy":"{{policy}}"}"""));
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            Assert.Equal(policy, (await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dmarcPolicy").GetString());
            var dmarc = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns")).GetProperty("records").EnumerateArray().Single(r => r.GetProperty("name").GetString() == $"_dmarc.{domain}");
            Assert.Equal($"v=DMARC1; p={policy}; rua=mailto:dmarc-reports@{domain}", dmarc.GetProperty("value").GetString());
            Assert.Contains(policy == "quarantine" ? "step 2 of 3" : "step 3 of 3", dmarc.GetProperty("purpose").GetString(), StringComparison.Ordinal);
        }

        var bad = await ProblemAsync(await client.PatchAsync($"/api/v1/domains/{domain}", Json("""{"dmarcPolicy":"2"}""")), HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("dmarcPolicy", out _));
        Assert.Equal("reject", (await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}")).GetProperty("dmarcPolicy").GetString());
    }

    [Fact]
    public async Task The_zone_export_is_accepted_by_named_checkzone_and_reads_back_to_the_same_values()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainAsync(client, "bücher-zone.test");
        Assert.StartsWith("xn--bcher-zone-", domain, StringComparison.Ordinal); // A-labels in DNS (RFC 5890)
        using var response = await client.GetAsync($"/api/v1/domains/{domain}/dns/zone");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        var fragment = await response.Content.ReadAsStringAsync();
        Assert.Contains($"$ORIGIN {domain}.", fragment, StringComparison.Ordinal);
        Assert.Contains("$TTL 3600", fragment, StringComparison.Ordinal);

        // A fragment goes into an existing zone: the test gives it the SOA and NS every zone has.
        var file = Path.Combine(Path.GetTempPath(), $"zone-{Guid.NewGuid():N}.db");
        await File.WriteAllTextAsync(file, $"$ORIGIN {domain}.\n$TTL 3600\n@ IN SOA ns1.{domain}. hostmaster.{domain}. 1 3600 600 86400 300\n@ IN NS ns1.{domain}.\nns1 IN A 192.0.2.53\n" + fragment);
        try
        {
            var (exit, output, messages) = await ExternalProgram.RunAsync("named-checkzone", "-D", "-o", "-", domain, file);
            Assert.True(exit == 0, output + messages);
            Assert.Contains("OK", messages + output, StringComparison.Ordinal);

            // Read back as BIND canonicalises it: every TXT joins to the value the API gives.
            var dns = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns");
            foreach (var record in dns.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("type").GetString() == "TXT"))
            {
                var name = record.GetProperty("name").GetString()!;
                // named-checkzone -D: "owner. <spaces> ttl IN TXT <tab> "s1" "s2" ...", one line per record.
                var data = output.Split('\n').Select(l => Regex.Match(l, @"^(\S+)\s+\d+\s+IN\s+TXT\s+(.*)$")).Single(m => m.Success && m.Groups[1].Value == name + ".").Groups[2].Value;
                var strings = Regex.Matches(data, "\"((?:[^\"\\\\]|\\\\.)*)\"").Select(m => m.Groups[1].Value).ToList();
                Assert.All(strings, s => Assert.True(s.Length <= 255));
                Assert.Equal(record.GetProperty("value").GetString(), string.Concat(strings).Replace("\\\"", "\"", StringComparison.Ordinal));
                if (name.Contains("._domainkey.", StringComparison.Ordinal) && record.GetProperty("value").GetString()!.Contains("k=rsa", StringComparison.Ordinal))
                    Assert.True(strings.Count >= 2, "a 2048-bit key takes more than one string");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task An_unknown_domain_is_404_for_the_records_and_the_zone()
    {
        using var client = await host.ApiClientAsync();
        await ProblemAsync(await client.GetAsync("/api/v1/domains/nowhere.test/dns"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.GetAsync("/api/v1/domains/nowhere.test/dns/zone"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.GetAsync("/api/v1/domains/not%20a%20domain/dns"), HttpStatusCode.NotFound);
    }
}
