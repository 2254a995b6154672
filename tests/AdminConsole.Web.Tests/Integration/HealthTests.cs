using System.Net;
using System.Text.Json;
using AdminConsole.Testing;

namespace AdminConsole.Web.Tests.Integration;

public sealed class HealthTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Health_is_200_and_healthy_while_PostgreSQL_answers()
    {
        using var client = host.Factory.CreateHttpClient();
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("healthy", body.RootElement.GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_checks_every_part_mail_needs_and_an_expired_certificate_makes_it_503()
    {
        using var client = host.Factory.CreateHttpClient();
        await host.WaitForEngineAsync(_ => true, "the first snapshot");
        // The scanner compiles its rules in the background: ready once it has, which a loaded machine takes a while for.
        JsonElement checks;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            using var ready = await client.GetAsync("/healthz/ready");
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            checks = body.RootElement.GetProperty("checks").Clone();
            if ((ready.StatusCode == HttpStatusCode.OK && body.RootElement.GetProperty("status").GetString() == "healthy") || DateTime.UtcNow > deadline)
            {
                Assert.True(ready.StatusCode == HttpStatusCode.OK && body.RootElement.GetProperty("status").GetString() == "healthy", body.RootElement.ToString());
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(["certificates", "disk-space", "engine-nodes", "postgresql", "queue", "scanner"], checks.EnumerateObject().Select(c => c.Name).Order());
        Assert.Contains("engine node(s) run snapshot", checks.GetProperty("engine-nodes").GetProperty("description").GetString(), StringComparison.Ordinal);
        // Liveness stays the database alone: a node or a certificate never restarts the console.
        using (var live = JsonDocument.Parse(await client.GetStringAsync("/healthz")))
            Assert.Equal(["postgresql"], live.RootElement.GetProperty("checks").EnumerateObject().Select(c => c.Name));

        await using (var db = host.Database.CreateContext())
        {
            db.ServerCertificates.Add(new Core.Certificates.ServerCertificate
            {
                Id = Guid.NewGuid(), Names = ["expired.health.test"], NotBefore = DateTimeOffset.UtcNow.AddDays(-90), NotAfter = DateTimeOffset.UtcNow.AddDays(-1),
                CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        using var expired = await client.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, expired.StatusCode);
        using var report = JsonDocument.Parse(await expired.Content.ReadAsStringAsync());
        var certificates = report.RootElement.GetProperty("checks").GetProperty("certificates");
        Assert.Equal("unhealthy", certificates.GetProperty("status").GetString());
        Assert.Contains("expired.health.test expired on", certificates.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("healthy", report.RootElement.GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Health_is_503_while_PostgreSQL_is_unreachable_and_200_again_when_it_is_back()
    {
        // The console reaches PostgreSQL through a relay the test can cut, as if the server stopped.
        await using var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, TestEnvironment.Database("x").Port));
        await using var factory = new ConsoleFactory(host.Database.Name, proxy.Port);
        using var client = factory.CreateHttpClient();

        using (var up = await client.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, up.StatusCode);

        proxy.Cut();
        using (var down = await client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            using var body = JsonDocument.Parse(await down.Content.ReadAsStringAsync());
            Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
            Assert.Contains("unreachable", body.RootElement.GetProperty("checks").GetProperty("postgresql").GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        proxy.Restore();
        using (var back = await client.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task Health_reports_pending_migrations_as_unhealthy()
    {
        var empty = new TestDatabase();
        await TestEnvironment.ExecuteAsync(TestEnvironment.MaintenanceDatabase, $"CREATE DATABASE \"{empty.Name}\"");
        try
        {
            await using var factory = new ConsoleFactory(empty.Name);
            using var client = factory.CreateHttpClient();
            using var response = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("adminctl migrate", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await empty.DisposeAsync();
        }
    }
}
