using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Testing;
using MailEngine.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>/api/v1/mailboxes/{address}/sieve: a user's Sieve filter, checked by the engine's parser before it is saved.</summary>
public sealed class FilterApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private async Task<string> MailboxAsync(HttpClient client)
    {
        var domain = $"f{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"sam@{{domain}}"}"""))).EnsureSuccessStatusCode();
        return $"sam@{domain}";
    }

    [Fact]
    public async Task A_script_that_does_not_compile_is_refused_with_line_and_column_and_changes_nothing()
    {
        using var client = await host.ApiClientAsync(tokenName: "filter-writer");
        var address = await MailboxAsync(client);
        var problem = await ProblemAsync(await client.PutAsync($"/api/v1/mailboxes/{address}/sieve",
            Json("""{"script":"require \"fileinto\";\nif header :contains \"subject\" {\n  fileinto \"x\";\n}\n"}""")), HttpStatusCode.BadRequest);
        Assert.Equal("2:4: header takes 2 argument(s), 1 given", problem.GetProperty("errors").GetProperty("script")[0].GetString());
        var saved = await client.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes/{address}/sieve");
        Assert.Equal("", saved.GetProperty("script").GetString());
        Assert.Equal(JsonValueKind.Null, saved.GetProperty("version").ValueKind);
    }

    [Fact]
    public async Task A_filter_is_saved_with_its_version_reaches_the_engine_and_can_be_removed()
    {
        using var client = await host.ApiClientAsync(tokenName: "filter-writer-2");
        var address = await MailboxAsync(client);
        const string script = "require [\"fileinto\", \"mailbox\"];\nif header :contains \"subject\" \"[dev]\" { fileinto :create \"Lists/dev\"; }\n";
        using var put = await client.PutAsync($"/api/v1/mailboxes/{address}/sieve", Json(JsonSerializer.Serialize(new { script })));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var body = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"\"{body.GetProperty("version").GetString()}\"", put.Headers.ETag!.Tag);
        Assert.Equal("token:filter-writer-2", body.GetProperty("updatedBy").GetString());

        using (var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/mailboxes/{address}/sieve") { Content = Json("""{"script":"keep;"}""") })
        {
            stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
            await ProblemAsync(await client.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        }

        await host.WaitForEngineAsync(s => s.Mailbox(address)?.SieveScript == script, "The engine did not get the filter");

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/mailboxes/{address}/sieve")).StatusCode);
        Assert.Equal("", (await client.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes/{address}/sieve")).GetProperty("script").GetString());
        await host.WaitForEngineAsync(s => s.Mailbox(address)?.SieveScript is null, "The engine kept the removed filter");
    }

    [Fact]
    public async Task The_test_endpoint_shows_the_actions_without_saving()
    {
        using var client = await host.ApiClientAsync(tokenName: "filter-tester");
        var address = await MailboxAsync(client);
        using var response = await client.PostAsync($"/api/v1/mailboxes/{address}/sieve/test", Json(JsonSerializer.Serialize(new
        {
            script = "require [\"fileinto\", \"variables\"]; if header :matches \"subject\" \"[*]*\" { fileinto \"Lists/${1}\"; }",
            message = "From: a@b.test\nSubject: [ops] disk full\n\nbody\n",
        })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["fileinto \"Lists/ops\""], result.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Empty(result.GetProperty("errors").EnumerateArray());

        var missing = await ProblemAsync(await client.PostAsync($"/api/v1/mailboxes/{address}/sieve/test", Json("""{"script":"keep;"}""")), HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("message", out _));
        Assert.Equal("", (await client.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes/{address}/sieve")).GetProperty("script").GetString());

        // Running a script is work: a read-only token may not.
        using var reader = await host.ApiClientAsync(Core.Accounts.ApiTokenScope.Read, tokenName: "filter-reader");
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync($"/api/v1/mailboxes/{address}/sieve/test", Json("""{"script":"keep;","message":"Subject: x\n\nx\n"}"""))).StatusCode);
    }

    [Fact]
    public async Task A_hostile_script_on_the_test_endpoint_ends_at_the_run_budget_and_keeps()
    {
        using var client = await host.ApiClientAsync(tokenName: "filter-budget");
        var address = await MailboxAsync(client);
        var keys = string.Join(", ", Enumerable.Range(0, 100).Select(i => $"\"*a*a*a*a*a*a*a*{i}b\""));
        var message = string.Concat(Enumerable.Range(0, 5).Select(_ => "X-A: " + new string('a', 4000) + "\n")) + "Subject: s\n\nx\n";
        using var response = await client.PostAsync($"/api/v1/mailboxes/{address}/sieve/test", Json(JsonSerializer.Serialize(new
        {
            script = $"if header :matches \"x-a\" [{keys}] {{ discard; }}",
            message,
        })));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["keep"], result.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains(result.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains("the script ran", StringComparison.Ordinal));
    }
}
