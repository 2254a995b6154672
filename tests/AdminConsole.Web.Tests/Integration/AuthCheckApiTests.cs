using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// POST /api/v1/diagnostics/auth-check (issue #16 item 6): the engine's SPF/DKIM/DMARC on a posted
/// message with the DNS of a real BIND (Engine:DnsServer), for a read-only token too; bad input is a
/// problem naming each field.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AuthCheckApiTests(DnsCheckHost host) : IClassFixture<DnsCheckHost>, IDisposable
{
    private readonly SenderZone _sender = new();

    public void Dispose() => _sender.Dispose();

    private static async Task<JsonElement> CheckAsync(HttpClient api, string message, string ip)
    {
        var response = await api.PostAsJsonAsync("/api/v1/diagnostics/auth-check", new { message, clientIp = ip, helo = SenderZone.Helo, mailFrom = $"sam@{SenderZone.Domain}" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task The_checks_pass_from_the_senders_host_and_SPF_fails_from_another_while_DKIM_keeps_DMARC()
    {
        await host.Bind.StartAsync(new Dictionary<string, string> { [SenderZone.Domain] = _sender.ZoneFile });
        using var api = await host.ApiClientAsync(ApiTokenScope.Read);
        var message = _sender.SignedMessage();

        var good = await CheckAsync(api, message, SenderZone.SendingHost);
        Assert.Equal("pass", good.GetProperty("mailFromSpf").GetProperty("result").GetString());
        Assert.Equal($"ip4:{SenderZone.SendingHost}", good.GetProperty("mailFromSpf").GetProperty("mechanism").GetString());
        var dkim = Assert.Single(good.GetProperty("dkim").EnumerateArray().ToList());
        Assert.Equal(("pass", SenderZone.Domain, "s1"), (dkim.GetProperty("result").GetString(), dkim.GetProperty("domain").GetString(), dkim.GetProperty("selector").GetString()));
        var dmarc = good.GetProperty("dmarc");
        Assert.Equal(("pass", "reject", true, true), (dmarc.GetProperty("result").GetString(), dmarc.GetProperty("policy").GetString(), dmarc.GetProperty("spfAligned").GetBoolean(), dmarc.GetProperty("dkimAligned").GetBoolean()));
        Assert.Contains("DMARC_PASS", good.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(("none", 0), (good.GetProperty("arc").GetProperty("result").GetString(), good.GetProperty("arc").GetProperty("seals").GetArrayLength()));
        Assert.Contains("dmarc=pass (p=reject dis=none) header.from=sender.test", good.GetProperty("authenticationResults").GetString());
        Assert.Contains("dkim d=sender.test s=s1 a=rsa-sha256: pass", good.GetProperty("summary").GetString());

        // Forwarded through another host: SPF fails, the signature still aligns, so DMARC passes.
        var forwarded = await CheckAsync(api, message, "203.0.113.9");
        Assert.Equal("fail", forwarded.GetProperty("mailFromSpf").GetProperty("result").GetString());
        Assert.Equal("pass", forwarded.GetProperty("dmarc").GetProperty("result").GetString());
        Assert.False(forwarded.GetProperty("dmarc").GetProperty("spfAligned").GetBoolean());

        // Altered on the way as well: nothing authenticates sender.test, and its policy says reject.
        var altered = await CheckAsync(api, message.Replace("in the shared folder", "attached", StringComparison.Ordinal), "203.0.113.9");
        Assert.Equal("fail", altered.GetProperty("dkim")[0].GetProperty("result").GetString());
        Assert.Equal(("fail", "reject"), (altered.GetProperty("dmarc").GetProperty("result").GetString(), altered.GetProperty("dmarc").GetProperty("disposition").GetString()));
        Assert.Contains("DMARC_POLICY_REJECT", altered.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_each_field()
    {
        using var api = await host.ApiClientAsync(ApiTokenScope.Read);
        var response = await api.PostAsJsonAsync("/api/v1/diagnostics/auth-check", new { message = " ", clientIp = "192.0.2.300", helo = "", mailFrom = "not an address" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["clientIp", "helo", "mailFrom", "message"], errors.EnumerateObject().Select(e => e.Name).Order());
        var big = await api.PostAsJsonAsync("/api/v1/diagnostics/auth-check", new { message = "Subject: x\r\n\r\n" + new string('x', 600 * 1024), clientIp = "192.0.2.1", helo = "h.test", mailFrom = "" });
        Assert.Equal(HttpStatusCode.BadRequest, big.StatusCode);
        Assert.Contains("at most 512 KiB", await big.Content.ReadAsStringAsync());
    }
}
