using System.Net;
using System.Net.Http.Headers;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// Every resource with an ETag, saved three times in a row, each time with the ETag the previous save
/// returned: the version a save hands out must be the one the next read of the stored row gives
/// (PostgreSQL keeps microseconds, .NET clocks tick in 100 ns).
/// </summary>
public sealed class EntityVersionApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static async Task<EntityTagHeaderValue> SaveThriceAsync(HttpClient client, HttpMethod method, string path, Func<int, string> body, EntityTagHeaderValue? etag)
    {
        for (var save = 1; save <= 3; save++)
        {
            using var request = new HttpRequestMessage(method, path) { Content = Json(body(save)) };
            if (etag is not null) request.Headers.IfMatch.Add(etag);
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"save {save} of {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            etag = response.Headers.ETag ?? throw new InvalidOperationException($"save {save} of {path} returned no ETag");

            // The version handed out is the one a fresh read of the stored row gives.
            using var read = await client.GetAsync(path);
            Assert.Equal(etag, read.Headers.ETag);
        }

        return etag!;
    }

    [Fact]
    public async Task A_domain_mailbox_group_filter_and_vacation_reply_each_save_three_times_in_a_row_with_the_ETag_the_last_save_gave()
    {
        using var client = await host.ApiClientAsync();
        var domain = $"v{Guid.NewGuid():N}"[..12] + ".test";
        using var created = await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await SaveThriceAsync(client, HttpMethod.Patch, $"/api/v1/domains/{domain}", n => $$"""{"description":"take {{n}}"}""", created.Headers.ETag);

        using var mailbox = await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"vera@{{domain}}"}"""));
        Assert.Equal(HttpStatusCode.Created, mailbox.StatusCode);
        await SaveThriceAsync(client, HttpMethod.Patch, $"/api/v1/mailboxes/vera@{domain}", n => $$"""{"displayName":"Vera {{n}}"}""", mailbox.Headers.ETag);

        await SaveThriceAsync(client, HttpMethod.Put, $"/api/v1/mailboxes/vera@{domain}/sieve",
            n => $$"""{"script":"require \"fileinto\";\nif header :contains \"subject\" \"take {{n}}\" { fileinto \"Takes\"; }\n"}""", etag: null);
        using var group = await client.PostAsync("/api/v1/groups", Json($$"""{"address":"crew@{{domain}}","members":["vera"]}"""));
        Assert.Equal(HttpStatusCode.Created, group.StatusCode);
        await SaveThriceAsync(client, HttpMethod.Patch, $"/api/v1/groups/crew@{domain}", n => $$"""{"description":"crew {{n}}"}""", group.Headers.ETag);

        await SaveThriceAsync(client, HttpMethod.Put, $"/api/v1/mailboxes/vera@{domain}/vacation",
            n => $$"""{"enabled":true,"subject":"Away","body":"Back soon, take {{n}}."}""", etag: null);
    }
}
