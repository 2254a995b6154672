using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;
using MailEngine.Hosting;
using MailEngine.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>/api/v1/mailboxes against the real PostgreSQL and the in-process engine.</summary>
public sealed class MailboxApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private MailEngineHost Engine => host.Factory.Services.GetRequiredService<MailEngineHost>();

    private async Task<string> DomainAsync(HttpClient client)
    {
        var name = $"m{Guid.NewGuid():N}"[..12] + ".test";
        using var response = await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{name}}","defaultQuotaBytes":52428800}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    private async Task<int> MailboxCountAsync()
    {
        await using var db = host.Database.CreateContext();
        return await db.Mailboxes.CountAsync();
    }

    private Task WaitForEngineAsync(Func<MailEngine.Control.SnapshotIndex, bool> condition) =>
        host.WaitForEngineAsync(condition, "The engine did not get the change");

    private async Task AuthenticateAsync(string user, string password)
    {
        var submission = Engine.Endpoints[ListenerKind.Submission];
        using var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await smtp.ConnectAsync(submission.Address.ToString(), submission.Port, SecureSocketOptions.StartTls);
        await smtp.AuthenticateAsync(user, password);
        await smtp.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_created_mailbox_gets_a_password_shown_once_that_the_engine_accepts()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainAsync(client);
        using var response = await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"Ann@{{domain}}","displayName":"Ann Example"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var password = body.GetProperty("password").GetString()!;
        Assert.Equal(20, password.Length);
        Assert.Equal($"ann@{domain}", body.GetProperty("mailbox").GetProperty("address").GetString());
        Assert.Equal(52428800, body.GetProperty("mailbox").GetProperty("quotaBytes").GetInt64()); // the domain's default

        var read = await client.GetStringAsync($"/api/v1/mailboxes/ann@{domain}");
        Assert.DoesNotContain(password, read, StringComparison.Ordinal);
        Assert.DoesNotContain("ARGON2", read, StringComparison.Ordinal);
        await using (var db = host.Database.CreateContext())
        {
            Assert.All(await db.AuditEvents.Where(e => e.Target == $"mailbox:ann@{domain}").Select(e => e.Details!).ToListAsync(),
                d => Assert.DoesNotContain("ARGON2", d, StringComparison.Ordinal));
        }

        await WaitForEngineAsync(s => s.Mailbox($"ann@{domain}") is not null);
        await AuthenticateAsync($"ann@{domain}", password);
    }

    [Theory]
    [InlineData("""{"address":"bad address","password":"long-enough-1"}""", "address")]
    [InlineData("""{"address":"x@no-such-domain.test"}""", "address")]
    [InlineData("""{"address":"x@DOMAIN","password":"password1"}""", "password")]
    [InlineData("""{"address":"x@DOMAIN","password":"short"}""", "password")]
    [InlineData("""{"address":"x@DOMAIN","quotaBytes":12}""", "quotaBytes")]
    public async Task Bad_input_gets_400_naming_the_field_and_nothing_is_written(string json, string field)
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainAsync(client);
        var before = await MailboxCountAsync();
        var problem = await ProblemAsync(await client.PostAsync("/api/v1/mailboxes", Json(json.Replace("DOMAIN", domain, StringComparison.Ordinal))), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await MailboxCountAsync());
    }

    [Fact]
    public async Task A_duplicate_address_is_409()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainAsync(client);
        (await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"dup@{{domain}}"}"""))).Dispose();
        var before = await MailboxCountAsync();
        await ProblemAsync(await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"DUP@{{domain}}"}""")), HttpStatusCode.Conflict);
        Assert.Equal(before, await MailboxCountAsync());
    }

    [Fact]
    public async Task The_list_searches_sorts_and_pages_on_the_server()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainAsync(client);
        foreach (var local in new[] { "carl", "anna", "bert" })
            (await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"{{local}}@{{domain}}","displayName":"{{local}} Person"}"""))).Dispose();

        var page = await client.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes?domain={domain}&sort=-address&limit=2");
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal([$"carl@{domain}", $"bert@{domain}"], page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("address").GetString()));
        var search = await client.GetFromJsonAsync<JsonElement>($"/api/v1/mailboxes?q=ANNA&domain={domain}");
        Assert.Equal($"anna@{domain}", Assert.Single(search.GetProperty("items").EnumerateArray()).GetProperty("address").GetString());
        await ProblemAsync(await client.GetAsync("/api/v1/mailboxes?sort=password"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Disabling_a_mailbox_reaches_the_engine_and_a_stale_ETag_is_412()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainAsync(client);
        using var created = await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"dora@{{domain}}"}"""));
        var etag = created.Headers.ETag!;

        using (var disable = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/mailboxes/dora@{domain}") { Content = Json("""{"enabled":false}""") })
        {
            disable.Headers.IfMatch.Add(etag);
            using var ok = await client.SendAsync(disable);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var stale = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/mailboxes/dora@{domain}") { Content = Json("""{"displayName":"late"}""") };
        stale.Headers.IfMatch.Add(etag);
        await ProblemAsync(await client.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        await ProblemAsync(await client.PatchAsync($"/api/v1/mailboxes/dora@{domain}", Json("""{"password":"new-password-9"}""")), HttpStatusCode.BadRequest);

        await WaitForEngineAsync(s => s.Mailbox($"dora@{domain}") is { Enabled: false });
    }

    [Fact]
    public async Task A_new_password_replaces_the_old_one_and_a_deleted_mailbox_is_gone()
    {
        using var client = await host.ApiClientAsync();
        var domain = await DomainAsync(client);
        (await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"eve@{{domain}}","password":"first-secret-77"}"""))).Dispose();
        await ProblemAsync(await client.PostAsync($"/api/v1/mailboxes/eve@{domain}/password", Json("""{"password":"qwertyuiop"}""")), HttpStatusCode.BadRequest);
        using (var set = await client.PostAsync($"/api/v1/mailboxes/eve@{domain}/password", Json("""{"password":"second-secret-88"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            Assert.Equal(JsonValueKind.Null, (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").ValueKind);
        }

        await WaitForEngineAsync(s => s.Mailbox($"eve@{domain}") is { } m && MailEngine.Auth.MailPasswordHasher.Verify(m.PasswordHash, "second-secret-88"));
        await AuthenticateAsync($"eve@{domain}", "second-secret-88");
        await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => AuthenticateAsync($"eve@{domain}", "first-secret-77"));

        using (var deleted = await client.DeleteAsync($"/api/v1/mailboxes/eve@{domain}")) Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ProblemAsync(await client.GetAsync($"/api/v1/mailboxes/eve@{domain}"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.DeleteAsync($"/api/v1/mailboxes/eve@{domain}"), HttpStatusCode.NotFound);
    }
}
