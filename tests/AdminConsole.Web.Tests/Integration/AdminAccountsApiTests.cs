using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// /api/v1/admins: administrators managed without adminctl. The class has its own database, so it
/// knows every admin account in it (the last-administrator rule depends on that).
/// </summary>
public sealed class AdminAccountsApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    [Fact]
    public async Task Admins_are_added_with_a_role_changed_reset_and_removed_and_the_last_administrator_stays()
    {
        using var api = await host.ApiClientAsync();

        // Added: the password is in this answer only, and signs in.
        using var created = await api.PostAsync("/api/v1/admins", Json("""{"email":"Ada@Example.com","role":"administrator"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ada@example.com", body.GetProperty("admin").GetProperty("email").GetString());
        var password = body.GetProperty("password").GetString()!;
        using var ada = await host.SignedInClientAsync("ada@example.com", password);
        Assert.Equal(HttpStatusCode.OK, (await ada.GetAsync("/api/v1/overview")).StatusCode);
        (await api.PostAsync("/api/v1/admins", Json("""{"email":"bob@example.com"}"""))).EnsureSuccessStatusCode();

        var list = await api.GetFromJsonAsync<JsonElement>("/api/v1/admins");
        var listed = list.EnumerateArray().Where(a => a.GetProperty("email").GetString() is "ada@example.com" or "bob@example.com").ToList();
        Assert.Equal(2, listed.Count);
        Assert.DoesNotContain("password", list.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.All(listed, a => Assert.Equal("administrator", a.GetProperty("role").GetString()));

        // A role change ends the account's sessions (the role is in them).
        using var demoted = await api.PatchAsync("/api/v1/admins/ada@example.com", Json("""{"role":"read-only"}"""));
        Assert.Equal("read-only", (await demoted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await ada.GetAsync("/api/v1/overview")).StatusCode);

        // Bob is now the only administrator: not demoted, not removed.
        var lastDemoted = await ProblemAsync(await api.PatchAsync("/api/v1/admins/bob@example.com", Json("""{"role":"read-only"}""")), HttpStatusCode.Conflict);
        Assert.Contains("only administrator", lastDemoted.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAsync(await api.DeleteAsync("/api/v1/admins/bob@example.com"), HttpStatusCode.Conflict);

        // A password reset: the old one stops working, the new one is in the answer.
        using var reset = await api.PostAsync("/api/v1/admins/ada@example.com/password", null);
        var newPassword = (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").GetString()!;
        using var client = host.Factory.CreateHttpClient();
        using (var old = await SignInForm.PostAsync(client, "ada@example.com", password)) Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        using (var current = await SignInForm.PostAsync(client, "ada@example.com", newPassword)) Assert.Equal(HttpStatusCode.Redirect, current.StatusCode);

        // A lost phone: the second factor goes (once), with the account's sessions.
        await using (var db = host.Database.CreateContext())
        {
            var bob = await db.AdminAccounts.SingleAsync(a => a.Email == "bob@example.com");
            (bob.TotpSecretProtected, bob.RecoveryCodeHashes) = ("sealed-secret", ["hash"]);
            await db.SaveChangesAsync();
        }

        Assert.True((await api.GetFromJsonAsync<JsonElement>("/api/v1/admins")).EnumerateArray().Single(a => a.GetProperty("email").GetString() == "bob@example.com").GetProperty("twoFactor").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/api/v1/admins/bob@example.com/two-factor")).StatusCode);
        await ProblemAsync(await api.DeleteAsync("/api/v1/admins/bob@example.com/two-factor"), HttpStatusCode.Conflict);
        await using (var db = host.Database.CreateContext())
        {
            var bob = await db.AdminAccounts.SingleAsync(a => a.Email == "bob@example.com");
            Assert.Null(bob.TotpSecretProtected);
            Assert.Empty(bob.RecoveryCodeHashes);
        }

        // Removed: it no longer signs in.
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/api/v1/admins/ada@example.com")).StatusCode);
        using (var gone = await SignInForm.PostAsync(client, "ada@example.com", newPassword)) Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
        await ProblemAsync(await api.DeleteAsync("/api/v1/admins/ada@example.com"), HttpStatusCode.NotFound);

        // Every step is in the audit log, the role change with its before and after.
        await using (var db = host.Database.CreateContext())
        {
            var actions = await db.AuditEvents.Where(e => e.Target == "admin:ada@example.com").OrderBy(e => e.Id).Select(e => e.Action).ToListAsync();
            Assert.Equal(["admin.created", "admin.role-changed", "admin.password-reset", "admin.removed"], actions.Where(a => !a.StartsWith("signin.", StringComparison.Ordinal)));
            var change = await db.AuditEvents.SingleAsync(e => e.Target == "admin:ada@example.com" && e.Action == "admin.role-changed");
            var diff = Core.Audit.AuditDiff.Of(change.Details);
            Assert.Equal([new Core.Audit.AuditChange("role", "administrator", "read-only")], diff.Changes);
        }
    }

    [Theory]
    [InlineData("""{"email":"not an address"}""", "email")]
    [InlineData("""{"email":"role@example.com","role":"owner"}""", "role")]
    public async Task Bad_input_is_refused_with_the_field_named_and_nothing_is_written(string json, string field)
    {
        using var api = await host.ApiClientAsync();
        var problem = await ProblemAsync(await api.PostAsync("/api/v1/admins", Json(json)), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        await using var db = host.Database.CreateContext();
        Assert.False(await db.AdminAccounts.AnyAsync(a => a.Email == "role@example.com"));
    }

    [Fact]
    public async Task A_read_token_lists_admins_but_changes_none()
    {
        await host.CreateAdminAsync("keep@example.com", AdminRole.ReadOnly); // read-only: the class's other test counts the administrators
        using var reader = await host.ApiClientAsync(ApiTokenScope.Read);
        Assert.Contains("keep@example.com", (await reader.GetStringAsync("/api/v1/admins")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/api/v1/admins", Json("""{"email":"x@example.com"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync("/api/v1/admins/keep@example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/api/v1/admins/keep@example.com/password", null)).StatusCode);
    }
}
