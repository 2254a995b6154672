using System.Net;
using AdminConsole.Core.Accounts;
using AdminConsole.Core.Data;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Tests.Integration;

public sealed class SignInTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private const string FailureMessage = "The email address or password is not correct.";

    [Fact]
    public async Task Admin_signs_in_with_the_right_password_and_sees_the_dashboard()
    {
        var admin = await host.CreateAdminAsync("right@example.com");
        using var client = host.Factory.CreateHttpClient();

        using var response = await SignInForm.PostAsync(client, "Right@Example.COM", admin.Password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.RedirectTarget());
        var dashboard = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("Dashboard", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_account_get_the_same_answer()
    {
        await host.CreateAdminAsync("wrong@example.com");
        using var client = host.Factory.CreateHttpClient();

        using var wrong = await SignInForm.PostAsync(client, "wrong@example.com", "not-the-password");
        using var unknown = await SignInForm.PostAsync(client, "nobody@example.com", "not-the-password");

        foreach (var response in new[] { wrong, unknown })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var page = await response.Content.ReadAsStringAsync();
            Assert.Contains(FailureMessage, page, StringComparison.Ordinal);
            // No sign-in cookie (the antiforgery cookie may be set again).
            var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];
            Assert.DoesNotContain(cookies, c => c.StartsWith("console.auth", StringComparison.Ordinal));
        }

        using var stillAnonymous = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, stillAnonymous.StatusCode);
        Assert.StartsWith("/signin", stillAnonymous.RedirectTarget(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failed_and_successful_sign_ins_are_audited()
    {
        var admin = await host.CreateAdminAsync("audited@example.com");
        using var client = host.Factory.CreateHttpClient();
        (await SignInForm.PostAsync(client, "audited@example.com", "bad-password")).Dispose();
        (await SignInForm.PostAsync(client, "audited@example.com", admin.Password)).Dispose();

        await using var db = host.Database.CreateContext();
        var actions = await db.AuditEvents.Where(e => e.Target == "admin:audited@example.com").OrderBy(e => e.Id).Select(e => e.Action).ToListAsync();
        Assert.Equal(["admin.created", "signin.failed", "signin.succeeded"], actions);
    }

    [Theory]
    [InlineData("echo@example.com", "Echo-Me-Not-42")]
    [InlineData("", "Echo-Me-Not-43")]
    public async Task A_password_is_never_rendered_back_into_the_page(string email, string password)
    {
        using var client = host.Factory.CreateHttpClient();
        using var response = await SignInForm.PostAsync(client, email, password);
        Assert.DoesNotContain(password, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_fields_get_a_message_beside_each_field_and_no_sign_in()
    {
        using var client = host.Factory.CreateHttpClient();
        using var response = await SignInForm.PostAsync(client, "", "");
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("Enter your email address.", page, StringComparison.Ordinal);
        Assert.Contains("Enter your password.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mailbox_user_signs_in_to_their_account_page_and_cannot_open_the_dashboard()
    {
        await host.Database.SeedAsync("users.example", new MailboxSeed("carol", "carol-secret-1"));

        using var client = host.Factory.CreateHttpClient();
        using var response = await SignInForm.PostAsync(client, "carol@users.example", "carol-secret-1");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account", response.RedirectTarget());

        using var account = await client.GetAsync("/account");
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Contains("carol@users.example", await account.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var dashboard = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.StartsWith("/denied", dashboard.RedirectTarget(), StringComparison.Ordinal);
        using var api = await client.GetAsync("/api/v1/overview");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
    }

    [Fact]
    public async Task A_disabled_mailbox_cannot_sign_in()
    {
        await host.Database.SeedAsync("disabled.example", new MailboxSeed("dave", "dave-secret-1", Enabled: false, QuotaBytes: 1 << 20));

        using var client = host.Factory.CreateHttpClient();
        using var response = await SignInForm.PostAsync(client, "dave@disabled.example", "dave-secret-1");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/account-settings", "/account-settings")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("https://evil.example/", "/")]
    public async Task Only_local_return_urls_are_followed_after_sign_in(string returnUrl, string expected)
    {
        var admin = await host.CreateAdminAsync($"return{Guid.NewGuid():N}@example.com");
        using var client = host.Factory.CreateHttpClient();
        using var response = await SignInForm.PostAsync(client, admin.Account.Email, admin.Password, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.RedirectTarget());
    }

    [Fact]
    public async Task Sign_out_requires_the_antiforgery_token_and_then_ends_the_session()
    {
        var admin = await host.CreateAdminAsync("signout@example.com");
        using var client = await host.SignedInClientAsync(admin.Account.Email, admin.Password);

        using var forged = await client.PostAsync("/signout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using (var still = await client.GetAsync("/")) Assert.Equal(HttpStatusCode.OK, still.StatusCode);

        var page = await client.GetStringAsync("/");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var signedOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        using var after = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cookie_copied_before_sign_out_is_refused_after_it(bool mailboxUser)
    {
        string email, password, page;
        if (mailboxUser)
        {
            await host.Database.SeedAsync("copied.example", new MailboxSeed("erin", "erin-secret-12", QuotaBytes: 1 << 20));
            (email, password, page) = ("erin@copied.example", "erin-secret-12", "/account");
        }
        else
        {
            var admin = await host.CreateAdminAsync("copied@example.com");
            (email, password, page) = (admin.Account.Email, admin.Password, "/");
        }

        using var client = host.Factory.CreateHttpClient();
        using var signedIn = await SignInForm.PostAsync(client, email, password);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("console.auth=", StringComparison.Ordinal)).Split(';')[0];

        // Someone copies the cookie: it works, as it must, until the owner signs out.
        using var thief = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.Factory.BaseAddress };
        thief.DefaultRequestHeaders.Add("Cookie", cookie);
        using (var before = await thief.GetAsync(page)) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        var html = await client.GetStringAsync(page);
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using (var signedOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token })))
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        using var after = await thief.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/signin", after.RedirectTarget(), StringComparison.Ordinal);
        // Signing in again starts a new session that works.
        using var again = host.Factory.CreateHttpClient();
        Assert.Equal(HttpStatusCode.Redirect, (await SignInForm.PostAsync(again, email, password)).StatusCode);
        using (var ok = await again.GetAsync(page)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
