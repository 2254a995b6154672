using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// The live check's DNSSEC verdict against a zone BIND signs, through a validating unbound: signed and
/// validated with the zone's key as trust anchor; signed but not validated when the resolver has no
/// anchor for it (an island of security whose DS is not in the parent yet).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DnssecLiveCheckTests(DnssecCheckHost host) : IClassFixture<DnssecCheckHost>
{
    private static string Zone(string domain) =>
        $"$ORIGIN {domain}.\n$TTL 300\n@ IN SOA ns1.{domain}. hostmaster.{domain}. 1 3600 600 86400 300\n@ IN NS ns1.{domain}.\nns1 IN A 127.0.0.1\n@ IN MX 10 mx.console.test.\n";

    private async Task<JsonElement> CheckAsync(HttpClient client, string domain)
    {
        using var response = await client.PostAsync($"/api/v1/domains/{domain}/dns/check", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    [Fact]
    public async Task A_signed_zone_with_a_trust_anchor_is_signed_and_validated_and_without_one_only_signed()
    {
        using var client = await host.ApiClientAsync();
        const string domain = "signed.test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        await host.Bind.StartAsync(new Dictionary<string, string> { [domain] = Zone(domain) }, signed: true);
        var anchor = await host.Bind.TrustAnchorAsync(domain);
        Assert.StartsWith($"{domain}. DNSKEY 257 3 13 ", anchor, StringComparison.Ordinal); // ECDSA P-256 (RFC 6605), BIND's default policy

        await host.Resolver.StartAsync(host.Bind, new Dictionary<string, string?> { [domain] = anchor });
        var validated = await CheckAsync(client, domain);
        var check = validated.GetProperty("check");
        Assert.True(check.GetProperty("error").ValueKind == JsonValueKind.Null, check.ToString() + host.Resolver.Output);
        Assert.True(check.GetProperty("signed").GetBoolean());
        Assert.True(check.GetProperty("validated").GetBoolean(), host.Resolver.Output);
        Assert.Equal("match", validated.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("type").GetString() == "MX").GetProperty("status").GetString());

        await host.Resolver.StartAsync(host.Bind, new Dictionary<string, string?> { [domain] = null });
        var island = (await CheckAsync(client, domain)).GetProperty("check");
        Assert.True(island.GetProperty("signed").GetBoolean());
        Assert.False(island.GetProperty("validated").GetBoolean());
    }
}
