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
