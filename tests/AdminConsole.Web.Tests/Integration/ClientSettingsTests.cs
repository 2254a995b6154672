using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// What the console serves by Host header without a sign-in: the MTA-STS policy (RFC 8461), whose id
/// the _mta-sts record follows, Thunderbird's autoconfig and Outlook's autodiscover; only for our domains.
/// </summary>
public sealed class ClientSettingsTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private async Task<(HttpClient Api, string Domain)> DomainAsync()
    {
        var api = await host.ApiClientAsync();
        var domain = $"c{Guid.NewGuid():N}"[..12] + ".test";
        (await api.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        return (api, domain);
    }

    private async Task<HttpResponseMessage> GetAsync(string hostName, string path)
    {
        using var anonymous = host.Factory.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = hostName;
        return await anonymous.SendAsync(request);
    }

    [Fact]
    public async Task The_MTA_STS_policy_is_served_for_our_domains_and_its_record_id_follows_the_mode()
    {
        var (api, domain) = await DomainAsync();
        using (api)
        {
            using var policy = await GetAsync($"mta-sts.{domain}", "/.well-known/mta-sts.txt");
            Assert.Equal(HttpStatusCode.OK, policy.StatusCode);
            Assert.Equal("text/plain", policy.Content.Headers.ContentType!.MediaType);
            Assert.Equal("version: STSv1\r\nmode: testing\r\nmx: mx.console.test\r\nmax_age: 86400\r\n", await policy.Content.ReadAsStringAsync());

            async Task<string> RecordIdAsync() => (await api.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns")).GetProperty("records").EnumerateArray()
                .Single(r => r.GetProperty("name").GetString() == $"_mta-sts.{domain}").GetProperty("value").GetString()!;
            var testing = await RecordIdAsync();

            await ProblemAsync(await api.PatchAsync($"/api/v1/domains/{domain}", Json("""{"mtaStsMode":"strict"}""")), HttpStatusCode.BadRequest);
            using (var enforce = await api.PatchAsync($"/api/v1/domains/{domain}", Json("""{"mtaStsMode":"enforce"}""")))
            {
                Assert.Equal(HttpStatusCode.OK, enforce.StatusCode);
                Assert.Equal("enforce", (await enforce.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mtaStsMode").GetString());
            }

            using var enforced = await GetAsync($"mta-sts.{domain}", "/.well-known/mta-sts.txt");
            Assert.Contains("mode: enforce\r\n", await enforced.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.NotEqual(testing, await RecordIdAsync()); // RFC 8461 §3.1: a new policy, a new id
        }

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("mta-sts.not-ours.test", "/.well-known/mta-sts.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(domain, "/.well-known/mta-sts.txt")).StatusCode);
    }

    [Fact]
    public async Task Thunderbird_autoconfig_names_our_IMAP_and_submission_servers_with_TLS()
    {
        var (api, domain) = await DomainAsync();
        api.Dispose();
        foreach (var (hostName, path) in new[] { ($"autoconfig.{domain}", "/mail/config-v1.1.xml"), ("127.0.0.1", $"/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=ann@{domain}") })
        {
            using var response = await GetAsync(hostName, path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var config = XDocument.Parse(await response.Content.ReadAsStringAsync());
            var servers = config.Descendants("incomingServer").Concat(config.Descendants("outgoingServer"))
                .Select(s => $"{s.Attribute("type")!.Value} {s.Element("hostname")!.Value}:{s.Element("port")!.Value} {s.Element("socketType")!.Value}").ToList();
            Assert.Equal(["imap mx.console.test:993 SSL", "imap mx.console.test:143 STARTTLS", "smtp mx.console.test:465 SSL", "smtp mx.console.test:587 STARTTLS"], servers);
            Assert.Equal(domain, config.Descendants("domain").Single().Value);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("autoconfig.not-ours.test", "/mail/config-v1.1.xml")).StatusCode);
    }

    [Fact]
    public async Task Outlook_autodiscover_answers_for_our_addresses_and_refuses_what_it_cannot_read()
    {
        var (api, domain) = await DomainAsync();
        api.Dispose();
        using var anonymous = host.Factory.CreateHttpClient();
        string Request(string address) => $"""
            <?xml version="1.0" encoding="utf-8"?>
            <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
              <Request><EMailAddress>{address}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>
            </Autodiscover>
            """;
        using var response = await anonymous.PostAsync("/autodiscover/autodiscover.xml", new StringContent(Request($"ann@{domain}"), Encoding.UTF8, "text/xml"));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        XNamespace a = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
        var protocols = XDocument.Parse(await response.Content.ReadAsStringAsync()).Descendants(a + "Protocol")
            .Select(p => $"{p.Element(a + "Type")!.Value} {p.Element(a + "Server")!.Value}:{p.Element(a + "Port")!.Value} ssl={p.Element(a + "SSL")!.Value} login={p.Element(a + "LoginName")!.Value}").ToList();
        Assert.Equal([$"IMAP mx.console.test:993 ssl=on login=ann@{domain}", $"SMTP mx.console.test:465 ssl=on login=ann@{domain}"], protocols);

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsync("/autodiscover/autodiscover.xml", new StringContent(Request("ann@not-ours.test"), Encoding.UTF8, "text/xml"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.PostAsync("/autodiscover/autodiscover.xml", new StringContent("<Autodiscover><unclosed>", Encoding.UTF8, "text/xml"))).StatusCode);
    }
}
