using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>/api/v1/groups (members as bare names, expansion, loops) and /api/v1/audit.</summary>
public sealed class GroupAndAuditApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{

    private static async Task<string> SetUpAsync(HttpClient client)
    {
        var domain = $"g{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        foreach (var local in new[] { "alice", "bob" })
            (await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"{{local}}@{{domain}}"}"""))).EnsureSuccessStatusCode();
        return domain;
    }

    [Fact]
    public async Task A_group_with_bare_names_expands_to_full_addresses()
    {
        using var client = await host.ApiClientAsync();
        var domain = await SetUpAsync(client);
        using var created = await client.PostAsync("/api/v1/groups", Json("""{"address":"support@DOMAIN","members":["alice","bob","partner@elsewhere.test"]}""".Replace("DOMAIN", domain, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([$"alice@{domain}", $"bob@{domain}", "partner@elsewhere.test"], body.GetProperty("expansion").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("mailbox", body.GetProperty("members")[0].GetProperty("kind").GetString());

        using var nested = await client.PostAsync("/api/v1/groups", Json($$"""{"address":"all@{{domain}}","members":["support"]}"""));
        var all = await nested.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, all.GetProperty("expansion").GetArrayLength());

        // ?member= lists the groups that deliver to an address: listing it, or through a nested group.
        (await client.PostAsync("/api/v1/groups", Json($$"""{"address":"bobs@{{domain}}","members":["bob"]}"""))).EnsureSuccessStatusCode();
        var ofAlice = await client.GetFromJsonAsync<JsonElement>($"/api/v1/groups?member=Alice@{domain}");
        Assert.Equal([$"all@{domain}", $"support@{domain}"], ofAlice.GetProperty("items").EnumerateArray().Select(g => g.GetProperty("address").GetString()));
        var ofPartner = await client.GetFromJsonAsync<JsonElement>($"/api/v1/groups?member=partner@elsewhere.test&domain={domain}");
        Assert.Equal(2, ofPartner.GetProperty("total").GetInt32());
        await ProblemAsync(await client.GetAsync("/api/v1/groups?member=not-an-address"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_loop_an_unknown_member_and_a_taken_address_are_refused_and_nothing_is_written()
    {
        using var client = await host.ApiClientAsync();
        var domain = await SetUpAsync(client);
        (await client.PostAsync("/api/v1/groups", Json($$"""{"address":"a@{{domain}}","members":["alice"]}"""))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v1/groups", Json($$"""{"address":"b@{{domain}}","members":["a"]}"""))).EnsureSuccessStatusCode();

        using var loop = await client.PutAsync($"/api/v1/groups/a@{domain}/members", Json("""{"members":["b"]}"""));
        Assert.Equal(HttpStatusCode.Conflict, loop.StatusCode);
        Assert.Contains($"a@{domain} → b@{domain} → a@{domain}", await loop.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknown = await client.PostAsync("/api/v1/groups", Json($$"""{"address":"c@{{domain}}","members":["ghost"]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var taken = await client.PostAsync("/api/v1/groups", Json($$"""{"address":"alice@{{domain}}","members":["bob"]}"""));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);

        await using var db = host.Database.CreateContext();
        Assert.False(await db.Groups.AnyAsync(g => g.Address == $"c@{domain}"));
        var a = await db.Groups.Include(g => g.Members).SingleAsync(g => g.Address == $"a@{domain}");
        Assert.NotNull(Assert.Single(a.Members).MailboxId);
    }

    [Fact]
    public async Task PATCH_changes_the_description_and_members_together_keeps_what_is_left_out_and_refuses_a_stale_version()
    {
        using var client = await host.ApiClientAsync();
        var domain = await SetUpAsync(client);
        using var created = await client.PostAsync("/api/v1/groups", Json($$"""{"address":"desk@{{domain}}","description":"Help desk","members":["alice"]}"""));
        var first = created.Headers.ETag!;

        using (var both = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/groups/desk@{domain}") { Content = Json("""{"description":"Help desk, both shifts","members":["alice","bob"]}""") })
        {
            both.Headers.IfMatch.Add(first);
            using var response = await client.SendAsync(both);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Help desk, both shifts", body.GetProperty("description").GetString());
            Assert.Equal([$"alice@{domain}", $"bob@{domain}"], body.GetProperty("expansion").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal($"\"{body.GetProperty("version").GetString()}\"", response.Headers.ETag!.Tag);
        }

        // Only the description: the members stay. The first version is stale by now.
        using (var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/groups/desk@{domain}") { Content = Json("""{"description":"late"}""") })
        {
            stale.Headers.IfMatch.Add(first);
            await ProblemAsync(await client.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        }

        var tooLong = await ProblemAsync(await client.PatchAsync($"/api/v1/groups/desk@{domain}", Json($$"""{"description":"{{new string('d', 501)}}"}""")), HttpStatusCode.BadRequest);
        Assert.True(tooLong.GetProperty("errors").TryGetProperty("description", out _));
        using (var description = await client.PatchAsync($"/api/v1/groups/desk@{domain}", Json("""{"description":"Help desk, all day"}""")))
            Assert.Equal(HttpStatusCode.OK, description.StatusCode);
        await ProblemAsync(await client.PatchAsync($"/api/v1/groups/nobody@{domain}", Json("""{"description":"x"}""")), HttpStatusCode.NotFound);

        var read = await client.GetFromJsonAsync<JsonElement>($"/api/v1/groups/desk@{domain}");
        Assert.Equal("Help desk, all day", read.GetProperty("description").GetString());
        Assert.Equal(2, read.GetProperty("members").GetArrayLength());
        await using var db = host.Database.CreateContext();
        // The members set at creation and the two accepted changes; the refused ones wrote nothing.
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.Target == $"group:desk@{domain}" && e.Action == "group.updated"));
    }

    [Fact]
    public async Task The_audit_log_lists_changes_by_actor_and_object_and_a_read_token_can_read_it()
    {
        var tokenName = $"t{Guid.NewGuid():N}";
        using var client = await host.ApiClientAsync(tokenName: tokenName);
        var domain = await SetUpAsync(client);
        using var reader = await host.ApiClientAsync(ApiTokenScope.Read);

        var byActor = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/audit?actor=token:{tokenName}");
        var actions = byActor.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()).ToList();
        // The domain and its DKIM keys are made in one save: their order within it is not the point.
        Assert.Equal(["dkim.keys-created", "domain.created", "mailbox.created", "mailbox.created"], actions.Order(StringComparer.Ordinal));
        Assert.Equal(["mailbox.created", "mailbox.created"], actions.Take(2));
        var byTarget = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/audit?target=domain:{domain}");
        Assert.Equal(2, byTarget.GetProperty("total").GetInt32()); // domain.created, dkim.keys-created
        Assert.Equal("127.0.0.1", byTarget.GetProperty("items")[0].GetProperty("remoteAddress").GetString());

        using var bad = await reader.GetAsync("/api/v1/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // Plain words find records: any part of the actor or object, ignoring case, and an action or a kind of action.
        var byName = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/audit?actor={tokenName.ToUpperInvariant()}&target={domain}");
        Assert.Equal(4, byName.GetProperty("total").GetInt32()); // the domain, its keys and both mailboxes (mailbox:…@domain)
        var mailboxesOnly = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/audit?actor={tokenName}&action=mailbox.*");
        Assert.Equal(["mailbox.created", "mailbox.created"], mailboxesOnly.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()));
        var exact = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/audit?actor={tokenName}&action=domain.created");
        Assert.Equal(1, exact.GetProperty("total").GetInt32());

        // The same filters export as CSV: a header and one row per record, newest first.
        using var export = await reader.GetAsync($"/api/v1/audit/export?actor={tokenName}&action=mailbox.");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("audit-", export.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var rows = Core.Import.CsvParser.Parse(await export.Content.ReadAsStringAsync());
        Assert.Equal(["id", "at", "actor", "remoteAddress", "action", "target", "details"], rows[0].Fields);
        Assert.Equal([$"mailbox:bob@{domain}", $"mailbox:alice@{domain}"], rows.Skip(1).Select(r => r.Fields[5]));
        Assert.All(rows.Skip(1), r => Assert.Equal($"token:{tokenName}", r.Fields[2]));
        await ProblemAsync(await reader.GetAsync("/api/v1/audit/export?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"), HttpStatusCode.BadRequest);
    }
}
