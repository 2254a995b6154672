using AdminConsole.Core.Domains;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;
using MailEngine.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>/api/v1/domains against the real PostgreSQL: each bad input is a problem, and nothing is written.</summary>
public sealed class DomainApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{

    private async Task<int> DomainCountAsync()
    {
        await using var db = host.Database.CreateContext();
        return await db.Domains.CountAsync();
    }

    [Theory]
    [InlineData("/api/v1/domains?limit=abc", "limit")]
    [InlineData("/api/v1/domains?offset=1.5", "offset")]
    [InlineData("/api/v1/audit?from=not-a-date", "from")]
    public async Task A_query_parameter_that_does_not_bind_is_a_400_naming_it(string url, string field)
    {
        using var client = await host.ApiClientAsync();
        var problem = await ProblemAsync(await client.GetAsync(url), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), problem.ToString());
        Assert.Contains("wrong type or format", messages[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"x.example",""", "body")]
    [InlineData("""{"name":"x.example","defaultQuotaBytes":"lots"}""", "defaultQuotaBytes")]
    public async Task A_body_that_is_not_valid_JSON_or_has_a_wrong_type_is_a_400_naming_the_field_and_nothing_is_written(string json, string field)
    {
        using var client = await host.ApiClientAsync();
        var before = await DomainCountAsync();
        var problem = await ProblemAsync(await client.PostAsync("/api/v1/domains", Json(json)), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await DomainCountAsync());
    }

    [Fact]
    public async Task Authenticated_API_responses_are_never_cached()
    {
        using var client = await host.ApiClientAsync();
        using var response = await client.GetAsync("/api/v1/domains");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Creating_a_domain_normalizes_its_name_applies_defaults_audits_and_reaches_the_engine()
    {
        using var client = await host.ApiClientAsync();
        using var response = await client.PostAsync("/api/v1/domains", Json("""{"name":"Bücher-Shop.Example","description":"Books"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/v1/domains/xn--bcher-shop-9db.example", response.Headers.Location?.OriginalString);
        Assert.NotNull(response.Headers.ETag);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("xn--bcher-shop-9db.example", body.GetProperty("name").GetString());
        Assert.Equal(MailDomain.DefaultMailboxQuotaBytes, body.GetProperty("defaultQuotaBytes").GetInt64());

        await using (var db = host.Database.CreateContext())
        {
            var audit = await db.AuditEvents.SingleAsync(e => e.Action == "domain.created" && e.Target == "domain:xn--bcher-shop-9db.example");
            Assert.StartsWith("token:", audit.Actor, StringComparison.Ordinal);
            Assert.Contains("\"after\"", audit.Details, StringComparison.Ordinal);
        }

        await host.WaitForEngineAsync(s => s.Resolve(MailEngine.Addressing.EmailAddress.Parse("x@xn--bcher-shop-9db.example")).Kind != MailEngine.Control.RecipientKind.Remote,
            "The engine never learnt the new domain");
    }

    [Theory]
    [InlineData("""{"name":"not a domain"}""", "name")]
    [InlineData("""{"name":"localhost"}""", "name")]
    [InlineData("""{"name":"ok-name.example","defaultQuotaBytes":5}""", "defaultQuotaBytes")]
    [InlineData("""{"name":"ok-name.example","maxMessageBytes":99999999999}""", "maxMessageBytes")]
    [InlineData("""{"name":"ok-name.example","catchAllAddress":"nobody"}""", "catchAllAddress")]
    public async Task Bad_fields_get_400_with_the_field_named_and_nothing_is_written(string json, string field)
    {
        using var client = await host.ApiClientAsync();
        var before = await DomainCountAsync();
        var problem = await ProblemAsync(await client.PostAsync("/api/v1/domains", Json(json)), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await DomainCountAsync());
    }

    [Fact]
    public async Task A_catch_all_must_be_a_mailbox_or_group_that_exists_when_it_is_one_of_ours()
    {
        using var client = await host.ApiClientAsync();
        var name = $"c{Guid.NewGuid():N}"[..12] + ".test";
        var before = await DomainCountAsync();
        // A new domain has no mailboxes yet, so its catch-all cannot point into it.
        var refused = await ProblemAsync(await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{name}}","catchAllAddress":"postmaster@{{name}}"}""")), HttpStatusCode.BadRequest);
        Assert.Contains($"There is no mailbox or group postmaster@{name}", refused.GetProperty("errors").GetProperty("catchAllAddress")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await DomainCountAsync());

        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{name}}"}"""))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"ann@{{name}}"}"""))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v1/groups", Json($$"""{"address":"all@{{name}}","members":["ann"]}"""))).EnsureSuccessStatusCode();
        await ProblemAsync(await client.PatchAsync($"/api/v1/domains/{name}", Json($$"""{"catchAllAddress":"nobody@{{name}}"}""")), HttpStatusCode.BadRequest);
        await using (var db = host.Database.CreateContext())
            Assert.Null((await db.Domains.SingleAsync(d => d.Name == name)).CatchAllAddress);

        // A mailbox, a group, and an address elsewhere (forwarded) are all fine.
        foreach (var target in new[] { $"ann@{name}", $"all@{name}", "someone@elsewhere.example" })
        {
            var saved = await client.PatchAsync($"/api/v1/domains/{name}", Json($$"""{"catchAllAddress":"{{target}}"}"""));
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            Assert.Equal(target, (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("catchAllAddress").GetString());
        }
    }

    [Fact]
    public async Task Inbound_DMARC_handling_and_trusted_ARC_forwarders_save_twice_reach_the_snapshot_and_bad_ones_change_nothing()
    {
        using var client = await host.ApiClientAsync();
        var name = $"a{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{name}}"}"""))).EnsureSuccessStatusCode();
        for (var i = 0; i < 2; i++)
        {
            using var saved = await client.PatchAsync($"/api/v1/domains/{name}", Json("""{"inboundDmarc":"quarantine","trustedArcSealers":["Lists.Example.ORG","lists.example.org","bücher.example"]}"""));
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            var body = await saved.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("quarantine", body.GetProperty("inboundDmarc").GetString());
            // Lower case, A-labels, each once.
            Assert.Equal(["lists.example.org", "xn--bcher-kva.example"], body.GetProperty("trustedArcSealers").EnumerateArray().Select(e => e.GetString()));
        }

        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            var snapshot = await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Engine.SnapshotCompiler>().CompileAsync();
            var domain = snapshot.Domains.Single(d => d.Name == name);
            Assert.Equal(MailEngine.Contracts.DmarcEnforcement.Quarantine, domain.Dmarc);
            Assert.Equal(["lists.example.org", "xn--bcher-kva.example"], domain.TrustedArcSealers!);
        }

        var bad = await ProblemAsync(await client.PatchAsync($"/api/v1/domains/{name}", Json("""{"inboundDmarc":"monitor","trustedArcSealers":["lists.example.org","not a domain!"]}""")), HttpStatusCode.BadRequest);
        Assert.Contains("not a domain!", bad.GetProperty("errors").GetProperty("trustedArcSealers")[0].GetString(), StringComparison.Ordinal);
        var wrong = await ProblemAsync(await client.PatchAsync($"/api/v1/domains/{name}", Json("""{"inboundDmarc":"2"}""")), HttpStatusCode.BadRequest);
        Assert.True(wrong.GetProperty("errors").TryGetProperty("inboundDmarc", out _));
        var unchanged = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{name}");
        Assert.Equal("quarantine", unchanged.GetProperty("inboundDmarc").GetString());
        Assert.Equal(2, unchanged.GetProperty("trustedArcSealers").GetArrayLength());

        // An empty list trusts no one again.
        using var cleared = await client.PatchAsync($"/api/v1/domains/{name}", Json("""{"trustedArcSealers":[]}"""));
        Assert.Equal(0, (await cleared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("trustedArcSealers").GetArrayLength());
    }

    [Fact]
    public async Task An_oversize_description_and_a_wrong_type_are_refused()
    {
        using var client = await host.ApiClientAsync();
        var before = await DomainCountAsync();
        var longText = new string('d', 501);
        await ProblemAsync(await client.PostAsync("/api/v1/domains", Json($$"""{"name":"long.example","description":"{{longText}}"}""")), HttpStatusCode.BadRequest);
        await ProblemAsync(await client.PostAsync("/api/v1/domains", Json("""{"name":"typed.example","defaultQuotaBytes":"ten gigabytes"}""")), HttpStatusCode.BadRequest);
        await ProblemAsync(await client.PostAsync("/api/v1/domains", Json("""{"name":""")), HttpStatusCode.BadRequest);
        Assert.Equal(before, await DomainCountAsync());
    }

    [Fact]
    public async Task A_duplicate_is_409_and_unknown_domains_are_404()
    {
        using var client = await host.ApiClientAsync();
        (await client.PostAsync("/api/v1/domains", Json("""{"name":"twice.example"}"""))).Dispose();
        var conflict = await ProblemAsync(await client.PostAsync("/api/v1/domains", Json("""{"name":"TWICE.example"}""")), HttpStatusCode.Conflict);
        Assert.True(conflict.GetProperty("errors").TryGetProperty("name", out _));
        await ProblemAsync(await client.GetAsync("/api/v1/domains/missing.example"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.PatchAsync("/api/v1/domains/missing.example", Json("""{"description":"x"}""")), HttpStatusCode.NotFound);
        await ProblemAsync(await client.DeleteAsync("/api/v1/domains/missing.example"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_update_with_a_stale_ETag_is_412_and_with_the_current_one_succeeds()
    {
        using var client = await host.ApiClientAsync();
        using var created = await client.PostAsync("/api/v1/domains", Json("""{"name":"etag.example"}"""));
        var etag = created.Headers.ETag!;

        using (var first = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/domains/etag.example") { Content = Json("""{"description":"first"}""") })
        {
            first.Headers.IfMatch.Add(etag);
            using var ok = await client.SendAsync(first);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.NotEqual(etag, ok.Headers.ETag);
        }

        using var stale = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/domains/etag.example") { Content = Json("""{"description":"second"}""") };
        stale.Headers.IfMatch.Add(etag);
        await ProblemAsync(await client.SendAsync(stale), HttpStatusCode.PreconditionFailed);

        var current = await client.GetFromJsonAsync<JsonElement>("/api/v1/domains/etag.example");
        Assert.Equal("first", current.GetProperty("description").GetString());
        await using var db = host.Database.CreateContext();
        var audit = await db.AuditEvents.SingleAsync(e => e.Action == "domain.updated" && e.Target == "domain:etag.example");
        Assert.Contains("\"before\"", audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_with_mailboxes_is_deleted_only_with_the_cascade()
    {
        using var client = await host.ApiClientAsync();
        (await client.PostAsync("/api/v1/domains", Json("""{"name":"full.example"}"""))).Dispose();
        await host.Database.SeedAsync("full.example", new MailboxSeed("a", QuotaBytes: 1 << 20));

        await ProblemAsync(await client.DeleteAsync("/api/v1/domains/full.example"), HttpStatusCode.Conflict);
        await using (var db = host.Database.CreateContext()) Assert.True(await db.Mailboxes.AnyAsync(m => m.Address == "a@full.example"));

        using var deleted = await client.DeleteAsync("/api/v1/domains/full.example?cascade=true");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await using (var db = host.Database.CreateContext())
        {
            Assert.False(await db.Domains.AnyAsync(d => d.Name == "full.example"));
            Assert.False(await db.Mailboxes.AnyAsync(m => m.Address == "a@full.example"));
        }
    }

    [Fact]
    public async Task Lists_page_by_offset_and_limit_and_refuse_bad_paging()
    {
        using var client = await host.ApiClientAsync();
        for (var i = 0; i < 3; i++) (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"page{{i}}.example"}"""))).Dispose();
        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/domains?offset=1&limit=2");
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.Equal(await DomainCountAsync(), page.GetProperty("total").GetInt32());
        await ProblemAsync(await client.GetAsync("/api/v1/domains?limit=0"), HttpStatusCode.BadRequest);
        await ProblemAsync(await client.GetAsync("/api/v1/domains?offset=-1"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_read_token_may_list_but_not_change_and_anonymous_callers_get_401()
    {
        using var reader = await host.ApiClientAsync(ApiTokenScope.Read);
        using (var list = await reader.GetAsync("/api/v1/domains")) Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using (var write = await reader.PostAsync("/api/v1/domains", Json("""{"name":"readonly.example"}"""))) Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        using var anonymous = host.Factory.CreateHttpClient();
        using (var denied = await anonymous.GetAsync("/api/v1/domains")) Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        await using var db = host.Database.CreateContext();
        Assert.False(await db.Domains.AnyAsync(d => d.Name == "readonly.example"));
    }
}
