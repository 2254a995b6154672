using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// DKIM from the console to the wire: a new domain gets an RSA and an Ed25519 key, the API shows their
/// records and never a private key, the keys reach the engine in the snapshot, and mail a user submits
/// leaves with two signatures that dkimpy verifies against exactly the records the API shows.
/// </summary>
public sealed class DkimApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task A_new_domain_signs_submitted_mail_with_both_keys_and_the_records_the_API_shows_verify_it()
    {
        using var client = await host.ApiClientAsync();
        var domain = $"k{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        using var created = await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"kim@{{domain}}","password":"kim's long password"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var response = await client.GetAsync($"/api/v1/domains/{domain}/dkim");
        var text = await response.Content.ReadAsStringAsync();
        var keys = JsonDocument.Parse(text).RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(["ed25519-sha256", "rsa-sha256"], keys.Select(k => k.GetProperty("algorithm").GetString()).Order());
        Assert.All(keys, k => Assert.Equal("active", k.GetProperty("state").GetString()));
        Assert.All(keys, k => Assert.EndsWith($"._domainkey.{domain}", k.GetProperty("recordName").GetString(), StringComparison.Ordinal));
        Assert.DoesNotContain("private", text, StringComparison.OrdinalIgnoreCase);

        // Stored sealed by Data Protection (its magic header), not as a PKCS#8 key anyone can read.
        await using (var db = host.Database.CreateContext())
        {
            var stored = await db.DkimKeys.Where(k => k.Domain!.Name == domain).ToListAsync();
            Assert.Equal(2, stored.Count);
            Assert.All(stored, k => Assert.Equal(new byte[] { 0x09, 0xF0, 0xC9, 0xF0 }, k.SealedPrivateKey[..4]));
            var audit = await db.AuditEvents.Where(e => e.Target == $"domain:{domain}").Select(e => e.Details).ToListAsync();
            Assert.Contains(audit, d => d != null && d.Contains("selectors", StringComparison.Ordinal));
            Assert.All(audit, d => Assert.DoesNotContain("PRIVATE", d ?? "", StringComparison.OrdinalIgnoreCase));
        }

        await host.WaitForEngineAsync(s => s.Domain(domain)?.DkimKeys?.Count == 2 && s.Mailbox($"kim@{domain}") is not null, "The engine did not get the domain's keys");

        var delivered = await SignedMail.SubmitToSelfAsync(host, $"kim@{domain}", "kim's long password", "signed by the console's keys");

        var records = Path.Combine(Path.GetTempPath(), $"dkim-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(records, JsonSerializer.Serialize(keys.ToDictionary(k => k.GetProperty("recordName").GetString()!, k => k.GetProperty("recordValue").GetString()!)));
        try
        {
            var lines = await SignedMail.VerifyAsync(delivered, records);
            Assert.Equal(2, lines.Length);
            Assert.All(lines, l => Assert.EndsWith(" pass", l, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(records);
        }
    }

    [Fact]
    public async Task An_unknown_domain_is_404_and_a_read_token_cannot_make_keys()
    {
        using var client = await host.ApiClientAsync();
        await ProblemAsync(await client.GetAsync("/api/v1/domains/nowhere.test/dkim"), HttpStatusCode.NotFound);
        using var reader = await host.ApiClientAsync(AdminConsole.Core.Accounts.ApiTokenScope.Read);
        var domain = $"r{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        using var refused = await reader.PostAsync($"/api/v1/domains/{domain}/dkim", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
