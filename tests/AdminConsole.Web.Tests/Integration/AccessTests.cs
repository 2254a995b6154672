using System.Net;
using System.Net.Http.Headers;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;

namespace AdminConsole.Web.Tests.Integration;

public sealed class AccessTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Job_dashboard_refuses_anonymous_users()
    {
        using var client = host.Factory.CreateHttpClient();
        using var response = await client.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/signin", new Uri("http://x" + response.RedirectTarget()).AbsolutePath);
    }

    [Fact]
    public async Task Job_dashboard_opens_for_an_administrator_but_not_for_a_read_only_admin()
    {
        var admin = await host.CreateAdminAsync("jobs-admin@example.com");
        var reader = await host.CreateAdminAsync("jobs-reader@example.com", AdminRole.ReadOnly);

        using var adminClient = await host.SignedInClientAsync(admin.Account.Email, admin.Password);
        using var ok = await adminClient.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("Hangfire", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var readerClient = await host.SignedInClientAsync(reader.Account.Email, reader.Password);
        using var denied = await readerClient.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Equal("/denied", new Uri("http://x" + denied.RedirectTarget()).AbsolutePath);
    }

    [Fact]
    public async Task Api_without_credentials_answers_401_with_problem_details()
    {
        using var client = host.Factory.CreateHttpClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.GetAsync("/api/v1/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Api_with_a_malformed_or_unknown_bearer_token_answers_401_with_a_bearer_challenge()
    {
        using var client = host.Factory.CreateHttpClient();
        foreach (var token in new[] { "garbage", "act_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/overview");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        using var client = host.Factory.CreateHttpClient();
        using var response = await client.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var repeated = response.Headers.Where(h => h.Value.Count() > 1).Select(h => h.Key).ToList();
        Assert.Empty(repeated);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        // Only this origin's scripts, and no inline script, outside /jobs and /api/docs.
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Metrics_are_Prometheus_text_promtool_accepts_with_real_counts()
    {
        await using (var db = host.Database.CreateContext())
        {
            db.Domains.Add(new Core.Domains.MailDomain { Name = $"m{Guid.NewGuid():N}.example", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        int domains;
        await using (var db = host.Database.CreateContext()) domains = db.Domains.Count();

        using var client = host.Factory.CreateHttpClient();
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        // Prometheus' own linter: the syntax, and the naming rules (counters end in _total, units spelled out).
        var lint = await ExternalProgram.RunWithInputAsync(text, "promtool", "check", "metrics");
        Assert.True(lint.ExitCode == 0, $"promtool check metrics: {lint.Output}{lint.Errors}");

        var metrics = PrometheusExposition.Parse(text);
        Assert.Equal("gauge", metrics.Types["mailadmin_domains"]);
        Assert.Equal(domains, metrics.Value("mailadmin_domains"));
        Assert.Equal(1, metrics.Value("mailadmin_database_up"));
        Assert.Equal("counter", metrics.Types["mailadmin_jobs_succeeded_total"]);
        // Npgsql's own meter is exported beside ours (its pool names carry no password).
        Assert.Contains(metrics.Samples, s => s.Name.StartsWith("db_client_", StringComparison.Ordinal));
        Assert.DoesNotContain("Password=", text, StringComparison.OrdinalIgnoreCase);

        // The next scrape counts again: nothing is cached between scrapes.
        await using (var db = host.Database.CreateContext())
        {
            db.Domains.Add(new Core.Domains.MailDomain { Name = $"m{Guid.NewGuid():N}.example", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var again = PrometheusExposition.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(domains + 1, again.Value("mailadmin_domains"));
        // The runtime's meter too. (ASP.NET Core's request metrics are checked on an engine node, a process of
        // its own: the hosts of this test process each have a meter of the same name, and a listener keeps one.)
        Assert.Equal("counter", again.Types["dotnet_gc_collections_total"]);
    }
}
