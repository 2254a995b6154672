using System.Net;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>Every console page and API group against anonymous, mailbox user, read-only admin and administrator.</summary>
public sealed class PageAccessTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static readonly string[] ReadPages = ["/", "/domains", "/mailboxes", "/groups", "/engine", "/queue", "/health", "/alerts", "/certificates", "/diagnostics/scanner", "/domains/access.test/spam", "/audit", "/security"];
    private static readonly string[] WritePages = ["/mailboxes/new", "/mailboxes/import", "/tokens"];
    private const string MailboxPassword = "a mailbox user password";

    private async Task<HttpClient> MailboxUserAsync()
    {
        await using (var db = host.Database.CreateContext())
        {
            if (!db.Mailboxes.Any(m => m.Address == "user@access.test")) await host.Database.SeedAsync("access.test", new MailboxSeed("user", MailboxPassword));
        }

        return await host.SignedInClientAsync("user@access.test", MailboxPassword);
    }

    private static async Task<string> OutcomeAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => "ok",
            HttpStatusCode.Redirect => new Uri("http://x" + response.RedirectTarget()).AbsolutePath,
            var other => ((int)other).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in_from_every_page()
    {
        using var client = host.Factory.CreateHttpClient();
        foreach (var page in ReadPages.Concat(WritePages).Append("/account").Append("/account/filters").Append("/mailboxes/user@access.test"))
            Assert.Equal((page, "/signin"), (page, await OutcomeAsync(client, page)));
    }

    [Fact]
    public async Task A_mailbox_user_reaches_only_their_account_page_and_no_admin_API()
    {
        using var client = await MailboxUserAsync();
        Assert.Equal("ok", await OutcomeAsync(client, "/account"));
        Assert.Equal("ok", await OutcomeAsync(client, "/account/filters"));
        foreach (var page in ReadPages.Where(p => p != "/").Concat(WritePages).Append("/mailboxes/user@access.test"))
            Assert.Equal((page, "/denied"), (page, await OutcomeAsync(client, page)));
        foreach (var api in new[] { "/api/v1/domains", "/api/v1/mailboxes", "/api/v1/mailboxes/user@access.test", "/api/v1/mailboxes/user@access.test/vacation", "/api/v1/mailboxes/user@access.test/sieve", "/api/v1/groups", "/api/v1/audit", "/api/v1/engine/status", "/api/v1/diagnostics/scanner", "/api/v1/domains/access.test/spam" })
            Assert.Equal((api, "403"), (api, await OutcomeAsync(client, api)));
        using var put = await client.PutAsync("/api/v1/mailboxes/user@access.test/vacation", ApiTesting.Json("""{"enabled":true,"body":"x"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
    }

    [Fact]
    public async Task A_read_only_admin_sees_the_read_pages_but_not_the_ones_that_only_change_things()
    {
        var reader = await host.CreateAdminAsync("pages-reader@example.com", AdminRole.ReadOnly);
        using var client = await host.SignedInClientAsync(reader.Account.Email, reader.Password);
        foreach (var page in ReadPages) Assert.Equal((page, "ok"), (page, await OutcomeAsync(client, page)));
        foreach (var page in WritePages.Append("/account").Append("/account/filters")) Assert.Equal((page, "/denied"), (page, await OutcomeAsync(client, page)));
    }

    [Fact]
    public async Task An_administrator_sees_every_admin_page_but_not_the_mailbox_users_page()
    {
        var admin = await host.CreateAdminAsync("pages-admin@example.com");
        using var client = await host.SignedInClientAsync(admin.Account.Email, admin.Password);
        foreach (var page in ReadPages.Concat(WritePages)) Assert.Equal((page, "ok"), (page, await OutcomeAsync(client, page)));
        Assert.Equal("/denied", await OutcomeAsync(client, "/account"));
    }
}
