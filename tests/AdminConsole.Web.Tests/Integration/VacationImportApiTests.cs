using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;
using MailEngine.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>/api/v1/mailboxes/{address}/vacation, /api/v1/mailboxes/import and /api/v1/groups/preview.</summary>
public sealed class VacationImportApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private async Task<string> DomainWithMailboxAsync(HttpClient client, params string[] locals)
    {
        var name = $"v{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{name}}"}"""))).EnsureSuccessStatusCode();
        foreach (var local in locals)
            (await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"{{local}}@{{name}}"}"""))).EnsureSuccessStatusCode();
        return name;
    }

    private async Task<int> CountAsync(Func<Core.Data.AdminDbContext, Task<int>> count)
    {
        await using var db = host.Database.CreateContext();
        return await count(db);
    }

    [Fact]
    public async Task A_vacation_reply_is_set_read_back_with_who_set_it_and_reaches_the_engine_as_Sieve()
    {
        using var client = await host.ApiClientAsync(tokenName: "vacation-writer");
        var domain = await DomainWithMailboxAsync(client, "ann");
        var empty = await client.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes/ann@{domain}/vacation");
        Assert.False(empty.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("version").ValueKind);

        using var put = await client.PutAsync($"/api/v1/mailboxes/ann@{domain}/vacation", Json($$"""
            {"enabled":true,"subject":"Away","body":"Back on Monday.","replyIntervalDays":3,"endsAt":"2030-01-01T00:00:00Z","extraAddresses":["Ann.Alias@{{domain}}"]}
            """));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var body = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"\"{body.GetProperty("version").GetString()}\"", put.Headers.ETag!.Tag);
        Assert.Equal("token:vacation-writer", body.GetProperty("updatedBy").GetString());
        Assert.Equal([$"ann.alias@{domain}"], body.GetProperty("extraAddresses").EnumerateArray().Select(a => a.GetString()));
        var script = body.GetProperty("sieveScript").GetString()!;
        Assert.Contains("vacation :days 3 :subject \"Away\"", script, StringComparison.Ordinal);
        Assert.Contains("\"2030-01-01T00:00:00+00:00\"", script, StringComparison.Ordinal);

        // A stale If-Match is refused; the current one is accepted.
        using (var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/mailboxes/ann@{domain}/vacation") { Content = Json("""{"enabled":false}""") })
        {
            stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
            await ProblemAsync(await client.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        }

        await host.WaitForEngineAsync(s => s.Mailbox($"ann@{domain}")?.VacationSieve is { } sieve && sieve.Contains("Back on Monday.", StringComparison.Ordinal),
            "The engine did not get the vacation rule");

        await using var db = host.Database.CreateContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "vacation.set" && e.Target == $"mailbox:ann@{domain}" && e.Actor == "token:vacation-writer"));
    }

    [Theory]
    [InlineData("""{"subject":"x","body":"y"}""", "enabled")]
    [InlineData("""{"enabled":true,"subject":"two\nlines","body":"y"}""", "subject")]
    [InlineData("""{"enabled":true,"body":"   "}""", "body")]
    [InlineData("""{"enabled":true,"body":"y","replyIntervalDays":0}""", "replyIntervalDays")]
    [InlineData("""{"enabled":true,"body":"y","startsAt":"2030-01-02T00:00:00Z","endsAt":"2030-01-01T00:00:00Z"}""", "endsAt")]
    [InlineData("""{"enabled":true,"body":"y","extraAddresses":["not an address"]}""", "extraAddresses")]
    public async Task Bad_vacation_input_is_refused_field_by_field_and_nothing_is_written(string json, string field)
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainWithMailboxAsync(client, "bob");
        var before = await CountAsync(db => db.VacationRules.CountAsync());
        var problem = await ProblemAsync(await client.PutAsync($"/api/v1/mailboxes/bob@{domain}/vacation", Json(json)), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        Assert.Equal(before, await CountAsync(db => db.VacationRules.CountAsync()));
    }

    [Fact]
    public async Task Vacation_of_an_unknown_mailbox_is_404_and_a_read_only_token_cannot_set_one()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainWithMailboxAsync(client, "cy");
        await ProblemAsync(await client.GetAsync($"/api/v1/mailboxes/nobody@{domain}/vacation"), HttpStatusCode.NotFound);
        using var reader = await host.ApiClientAsync(ApiTokenScope.Read);
        using var refused = await reader.PutAsync($"/api/v1/mailboxes/cy@{domain}/vacation", Json("""{"enabled":true,"body":"x"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var read = await reader.GetAsync($"/api/v1/mailboxes/cy@{domain}/vacation");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task A_CSV_with_one_bad_row_is_reported_by_line_in_a_dry_run_and_refused_whole_then_imported_when_fixed()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainWithMailboxAsync(client, "taken");
        var bad = $"address,displayName,quota,password\r\none@{domain},One,2GiB,\r\nnot-an-address,Two,,\r\ntaken@{domain},Three,,\r\nfour@{domain},\"Four, Esq.\",,a long chosen password\r\n";
        var before = await CountAsync(db => db.Mailboxes.CountAsync());

        var dry = await (await client.PostAsync("/api/v1/mailboxes/import?dryRun=true", Csv(bad))).Content.ReadFromJsonAsync<JsonElement>();
        var errors = dry.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(3, "address"), (4, "address")], errors);

        var refused = await ProblemAsync(await client.PostAsync("/api/v1/mailboxes/import", Csv(bad)), HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("line 3", out _));
        Assert.Equal(before, await CountAsync(db => db.Mailboxes.CountAsync()));

        var good = string.Join("\r\n", bad.Split("\r\n").Where(l => !l.StartsWith("not-an", StringComparison.Ordinal) && !l.StartsWith("taken@", StringComparison.Ordinal)));
        using var imported = await client.PostAsync("/api/v1/mailboxes/import", Csv(good));
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var result = await imported.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, result.GetProperty("created").GetInt32());
        var rows = result.GetProperty("mailboxes").EnumerateArray().ToDictionary(m => m.GetProperty("address").GetString()!, m => m.GetProperty("generatedPassword").GetString());
        Assert.Equal(20, rows[$"one@{domain}"]!.Length);
        Assert.Null(rows[$"four@{domain}"]);

        var four = await client.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes/four@{domain}");
        Assert.Equal("Four, Esq.", four.GetProperty("displayName").GetString());
        var one = await client.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes/one@{domain}");
        Assert.Equal(2L << 30, one.GetProperty("quotaBytes").GetInt64());
    }

    [Theory]
    [InlineData("text/plain", "address\r\na@b.c\r\n", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("text/csv", "", HttpStatusCode.BadRequest)]
    [InlineData("text/csv", "mail,who\r\na@b.c,x\r\n", HttpStatusCode.BadRequest)]
    [InlineData("text/csv", "address\r\n\"unclosed\r\n", HttpStatusCode.BadRequest)]
    public async Task Unusable_files_are_refused_and_nothing_is_written(string type, string text, HttpStatusCode status)
    {
        using var client = await host.ApiClientAsync();
        var before = await CountAsync(db => db.Mailboxes.CountAsync());
        await ProblemAsync(await client.PostAsync("/api/v1/mailboxes/import", new StringContent(text, Encoding.UTF8, type)), status);
        Assert.Equal(before, await CountAsync(db => db.Mailboxes.CountAsync()));
    }

    [Fact]
    public async Task The_group_preview_expands_to_full_addresses_and_names_a_loop_without_writing()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainWithMailboxAsync(client, "amy", "ben");
        (await client.PostAsync("/api/v1/groups", Json($$"""{"address":"inner@{{domain}}","members":["ben"]}"""))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v1/groups", Json($$"""{"address":"outer@{{domain}}","members":["inner"]}"""))).EnsureSuccessStatusCode();

        var preview = await (await client.PostAsync("/api/v1/groups/preview", Json($$"""{"address":"new@{{domain}}","members":["amy","outer","x@elsewhere.com","Carol@Example.TSET"]}"""))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([$"amy@{domain}", $"ben@{domain}", "carol@example.tset", "x@elsewhere.com"], preview.GetProperty("expansion").EnumerateArray().Select(a => a.GetString()));
        // External addresses are named as such, and the one under a top-level domain that does not exist is warned of.
        Assert.Equal(["carol@example.tset", "x@elsewhere.com"], preview.GetProperty("external").EnumerateArray().Select(a => a.GetString()));
        var warning = Assert.Single(preview.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.Contains("carol@example.tset", warning, StringComparison.Ordinal);
        Assert.Contains(".tset is no top-level domain", warning, StringComparison.Ordinal);

        // Saved as well (a warning, not a refusal: a private network may have its own names), and the group says so.
        var created = await client.PostAsync("/api/v1/groups", Json($$"""{"address":"partners@{{domain}}","members":["carol@example.tset","x@elsewhere.com"]}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var group = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["external", "external"], group.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("kind").GetString()));
        Assert.Contains("carol@example.tset", Assert.Single(group.GetProperty("warnings").EnumerateArray()).GetString(), StringComparison.Ordinal);

        var groups = await CountAsync(db => db.Groups.CountAsync());
        var loop = await ProblemAsync(await client.PostAsync("/api/v1/groups/preview", Json($$"""{"address":"inner@{{domain}}","members":["outer"]}""")), HttpStatusCode.Conflict);
        Assert.Contains($"inner@{domain} → outer@{domain} → inner@{domain}", loop.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(groups, await CountAsync(db => db.Groups.CountAsync()));
        var unknown = await ProblemAsync(await client.PostAsync("/api/v1/groups/preview", Json($$"""{"address":"new@{{domain}}","members":["nobody"]}""")), HttpStatusCode.BadRequest);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("members", out _));
    }

    [Fact]
    public async Task The_mailbox_list_searches_literally_and_sorts_by_display_name()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainWithMailboxAsync(client);
        foreach (var (local, name) in new[] { ("a_b", "Zed"), ("axb", "Amy"), ("c", "100% Carol") })
            (await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"{{local}}@{{domain}}","displayName":"{{name}}"}"""))).EnsureSuccessStatusCode();

        async Task<List<string>> ListAsync(string query) =>
            (await client.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes?domain={domain}&{query}")).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("address").GetString()!).ToList();

        Assert.Equal([$"a_b@{domain}"], await ListAsync("q=a_b"));          // "_" is not a wildcard
        Assert.Equal([$"c@{domain}"], await ListAsync("q=100%25"));         // nor is "%"
        Assert.Equal([$"c@{domain}"], await ListAsync("q=CAROL"));          // names case-insensitively
        Assert.Equal([$"c@{domain}", $"axb@{domain}", $"a_b@{domain}"], await ListAsync("sort=displayName"));
        await ProblemAsync(await client.GetAsync("/api/v1/mailboxes?sort=password"), HttpStatusCode.BadRequest);
    }
}
