using System.Net;
using AdminConsole.Core.Accounts;
using AdminConsole.Core.Security;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// Behind a TLS proxy on 127.0.0.1: forwarded client addresses and scheme are believed from it only,
/// and sign-in limits count per source and account, so nobody can lock an administrator out.
/// </summary>
public sealed class ProxyConsoleHost : ConsoleHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Console:Proxy:KnownProxies:0"] = "127.0.0.1",
        ["Console:SignIn:MaxFailures"] = "3",
        ["Console:SignIn:SourceFreeFailures"] = "4",
        ["Console:SignIn:SourceDelay"] = "00:00:30",
        ["Console:SignIn:AccountMaxFailures"] = "6",
    };

    /// <summary>A client whose requests the proxy forwards for <paramref name="client"/> (over https when asked).</summary>
    public HttpClient From(string client, bool https = false)
    {
        var http = Factory.CreateHttpClient();
        http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
        if (https) http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        return http;
    }
}

/// <summary>The same proxy, with the console in Production (HSTS is a production header).</summary>
public sealed class ProductionProxyConsoleHost : ConsoleHost
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["environment"] = "Production",
        ["Console:Proxy:KnownProxies:0"] = "127.0.0.1",
    };
}

public sealed class HstsTests(ProductionProxyConsoleHost host) : IClassFixture<ProductionProxyConsoleHost>
{
    [Fact]
    public async Task HSTS_is_sent_for_https_through_the_known_proxy_and_never_for_plain_http()
    {
        using var client = host.Factory.CreateHttpClient();
        // The public name the proxy forwards (ASP.NET sends no HSTS for localhost names).
        using var https = new HttpRequestMessage(HttpMethod.Get, "/signin");
        https.Headers.Host = "mail.example.com";
        https.Headers.Add("X-Forwarded-Proto", "https");
        https.Headers.Add("X-Forwarded-For", "203.0.113.60");
        using var secure = await client.SendAsync(https);
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.True(secure.Headers.Contains("Strict-Transport-Security"), string.Join("\n", secure.Headers.Select(h => h.Key)));

        using var plain = new HttpRequestMessage(HttpMethod.Get, "/signin");
        plain.Headers.Host = "mail.example.com";
        using var insecure = await client.SendAsync(plain);
        Assert.False(insecure.Headers.Contains("Strict-Transport-Security"));
    }
}

public sealed class ProxyAndLockoutTests(ProxyConsoleHost host) : IClassFixture<ProxyConsoleHost>
{
    [Fact]
    public async Task Failing_on_purpose_locks_only_the_attackers_source_and_the_admin_still_signs_in_from_elsewhere()
    {
        var admin = await host.CreateAdminAsync("target@example.com");
        using var attacker = host.From("198.51.100.7");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInForm.PostAsync(attacker, admin.Account.Email, "guess " + i)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInForm.PostAsync(attacker, admin.Account.Email, admin.Password)).StatusCode);

        using var owner = host.From("203.0.113.20");
        using var signedIn = await SignInForm.PostAsync(owner, admin.Account.Email, admin.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        // The audit log has the forwarded addresses, not the proxy's.
        await using var db = host.Database.CreateContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "signin.failed" && e.RemoteAddress == "198.51.100.7"));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "signin.succeeded" && e.RemoteAddress == "203.0.113.20"));
        Assert.False(await db.AuditEvents.AnyAsync(e => e.Action.StartsWith("signin.") && e.RemoteAddress == "127.0.0.1"));
    }

    [Fact]
    public async Task One_password_sprayed_over_many_addresses_slows_the_source_down()
    {
        using var sprayer = host.From("198.51.100.9");
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInForm.PostAsync(sprayer, $"user{i}@spray.example", "Summer2026!")).StatusCode);
        // The fifth failure sets a delay for the source: the next attempt, any address, waits (429).
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInForm.PostAsync(sprayer, "user4@spray.example", "Summer2026!")).StatusCode);
        using var waiting = await SignInForm.PostAsync(sprayer, "user5@spray.example", "Summer2026!");
        Assert.Equal(HttpStatusCode.TooManyRequests, waiting.StatusCode);
        // Another source is not slowed.
        using var other = host.From("203.0.113.30");
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInForm.PostAsync(other, "user5@spray.example", "Summer2026!")).StatusCode);
    }

    [Fact]
    public async Task A_locked_account_gets_in_with_a_second_factor_and_is_unlocked_by_an_operator()
    {
        var admin = await host.CreateAdminAsync("hunted@example.com");
        var plain = await host.CreateAdminAsync("plain@example.com");
        var enrolment = TwoFactorService.Begin(admin.Account.Email);
        IReadOnlyList<string> recovery;
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            recovery = await scope.ServiceProvider.GetRequiredService<TwoFactorService>().EnableAsync(admin.Account.Id, admin.Password, enrolment.Secret, Totp.Code(enrolment.Secret, Totp.StepAt(DateTimeOffset.UtcNow)), null);

        // Six failures from three sources lock both accounts themselves.
        foreach (var account in new[] { admin.Account.Email, plain.Account.Email })
        {
            for (var source = 0; source < 3; source++)
            {
                using var from = host.From($"192.0.2.{source + 1}");
                for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.Unauthorized, (await SignInForm.PostAsync(from, account, "wrong " + i)).StatusCode);
            }
        }

        // Without a second factor, the right password from a new source is refused while locked...
        using var owner = host.From("203.0.113.40");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInForm.PostAsync(owner, plain.Account.Email, plain.Password)).StatusCode);
        // ...with one, the password leads to the second factor and a valid code gets in (a recovery
        // code here: the current TOTP step was spent on the enrolment, and replays are refused).
        using var withTotp = host.From("203.0.113.41");
        using var password = await SignInForm.PostAsync(withTotp, admin.Account.Email, admin.Password);
        Assert.StartsWith("/signin/second-factor", password.RedirectTarget(), StringComparison.Ordinal);
        using var code = await SignInForm.PostFormAsync(withTotp, "/signin/second-factor", "second-factor",
            new Dictionary<string, string> { ["Input.Code"] = recovery[0] });
        Assert.Equal(HttpStatusCode.Redirect, code.StatusCode);
        Assert.DoesNotContain("second-factor", code.RedirectTarget(), StringComparison.Ordinal);

        // An operator lifts the lock (adminctl admin unlock runs the same service).
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<SignInService>().UnlockAsync(plain.Account.Email, "adminctl", null) > 0);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInForm.PostAsync(owner, plain.Account.Email, plain.Password)).StatusCode);
    }

    [Fact]
    public async Task Over_https_through_the_proxy_the_cookie_is_Secure_and_HSTS_is_sent_and_not_over_plain_http()
    {
        var admin = await host.CreateAdminAsync("secure@example.com");
        using var https = host.From("203.0.113.50", https: true);
        using var response = await SignInForm.PostAsync(https, admin.Account.Email, admin.Password);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("console.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);

        using var http = host.From("203.0.113.51");
        using var plain = await SignInForm.PostAsync(http, admin.Account.Email, admin.Password);
        var plainCookie = plain.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("console.auth=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", plainCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Metrics_are_not_public_through_the_proxy_but_open_to_the_scrape_token_and_direct_loopback()
    {
        using var proxied = host.From("198.51.100.77");
        Assert.Equal(HttpStatusCode.Unauthorized, (await proxied.GetAsync("/metrics")).StatusCode);

        using var direct = host.Factory.CreateHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("/metrics")).StatusCode);

        var token = (await File.ReadAllTextAsync(Path.Combine(TestEnvironment.CredentialsDirectory, "metrics-token"))).Trim();
        using var scraper = host.From("198.51.100.78");
        scraper.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await scraper.GetAsync("/metrics")).StatusCode);
        scraper.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await scraper.GetAsync("/metrics")).StatusCode);
    }
}
