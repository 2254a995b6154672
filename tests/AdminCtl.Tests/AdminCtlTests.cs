using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;

namespace AdminCtl.Tests;

public sealed class AdminCtlTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private string Db => host.Database.Name;

    [Fact]
    public async Task Migrate_on_a_new_database_applies_the_migrations_and_a_second_run_changes_nothing()
    {
        var fresh = new TestDatabase();
        await TestEnvironment.ExecuteAsync(TestEnvironment.MaintenanceDatabase, $"CREATE DATABASE \"{fresh.Name}\"");
        try
        {
            var first = await AdminCtlRunner.RunAsync(fresh.Name, "migrate");
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("applied ", first.Stdout, StringComparison.Ordinal);
            var second = await AdminCtlRunner.RunAsync(fresh.Name, "migrate");
            Assert.Equal(0, second.ExitCode);
            Assert.Equal("database is up to date", second.Stdout.Trim());
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task Admin_create_prints_a_password_once_that_signs_in_to_the_console()
    {
        var result = await AdminCtlRunner.RunAsync(Db, "admin", "create", "ops@example.com");
        Assert.Equal(0, result.ExitCode);
        var password = result.Line("password:");
        Assert.Equal(20, password.Length);

        await using (var db = host.Database.CreateContext())
        {
            var stored = await db.AdminAccounts.SingleAsync(a => a.Email == "ops@example.com");
            Assert.DoesNotContain(password, stored.PasswordHash, StringComparison.Ordinal);
        }

        using var client = await host.SignedInClientAsync("ops@example.com", password);
        using var dashboard = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    [Fact]
    public async Task Admin_create_refuses_a_duplicate_and_a_malformed_address()
    {
        Assert.Equal(0, (await AdminCtlRunner.RunAsync(Db, "admin", "create", "twice@example.com")).ExitCode);
        var duplicate = await AdminCtlRunner.RunAsync(Db, "admin", "create", "Twice@Example.com");
        Assert.Equal(1, duplicate.ExitCode);
        Assert.Contains("already exists", duplicate.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("password", duplicate.Stdout, StringComparison.Ordinal);

        var malformed = await AdminCtlRunner.RunAsync(Db, "admin", "create", "not-an-address");
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("email:", malformed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_password_replaces_the_old_password()
    {
        var created = await AdminCtlRunner.RunAsync(Db, "admin", "create", "reset@example.com");
        var oldPassword = created.Line("password:");
        var reset = await AdminCtlRunner.RunAsync(Db, "admin", "reset-password", "reset@example.com");
        Assert.Equal(0, reset.ExitCode);
        var newPassword = reset.Line("password:");
        Assert.NotEqual(oldPassword, newPassword);

        using var client = host.Factory.CreateHttpClient();
        using (var old = await SignInForm.PostAsync(client, "reset@example.com", oldPassword)) Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        using (var current = await SignInForm.PostAsync(client, "reset@example.com", newPassword)) Assert.Equal(HttpStatusCode.Redirect, current.StatusCode);

        var unknown = await AdminCtlRunner.RunAsync(Db, "admin", "reset-password", "nobody@example.com");
        Assert.Equal(1, unknown.ExitCode);
    }

    [Fact]
    public async Task Admin_role_remove_2fa_and_remove_change_an_account_and_say_what_they_did()
    {
        // Another administrator, so that roles@ is never the last one (which could not be removed).
        Assert.Equal(0, (await AdminCtlRunner.RunAsync(Db, "admin", "create", "keeper@example.com")).ExitCode);
        Assert.Equal(0, (await AdminCtlRunner.RunAsync(Db, "admin", "create", "roles@example.com", "--role", "read-only")).ExitCode);
        var promoted = await AdminCtlRunner.RunAsync(Db, "admin", "role", "roles@example.com", "administrator");
        Assert.Equal((0, "roles@example.com is now administrator; its sessions have ended"), (promoted.ExitCode, promoted.Stdout.Trim()));
        var wrong = await AdminCtlRunner.RunAsync(Db, "admin", "role", "roles@example.com", "owner");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("administrator or read-only", wrong.Stderr, StringComparison.Ordinal);
        await using (var db = host.Database.CreateContext())
        {
            var account = await db.AdminAccounts.SingleAsync(a => a.Email == "roles@example.com");
            Assert.Equal(AdminConsole.Core.Accounts.AdminRole.Administrator, account.Role);
            (account.TotpSecretProtected, account.RecoveryCodeHashes) = ("sealed", ["code"]);
            await db.SaveChangesAsync();
        }

        Assert.Equal(0, (await AdminCtlRunner.RunAsync(Db, "admin", "remove-2fa", "roles@example.com")).ExitCode);
        var again = await AdminCtlRunner.RunAsync(Db, "admin", "remove-2fa", "roles@example.com");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("no second factor", again.Stderr, StringComparison.Ordinal);
        await using (var db = host.Database.CreateContext())
            Assert.Null((await db.AdminAccounts.SingleAsync(a => a.Email == "roles@example.com")).TotpSecretProtected);

        var removed = await AdminCtlRunner.RunAsync(Db, "admin", "remove", "roles@example.com");
        Assert.Equal((0, "removed admin roles@example.com"), (removed.ExitCode, removed.Stdout.Trim()));
        Assert.Equal(1, (await AdminCtlRunner.RunAsync(Db, "admin", "remove", "roles@example.com")).ExitCode);
        await using (var db = host.Database.CreateContext())
        {
            Assert.False(await db.AdminAccounts.AnyAsync(a => a.Email == "roles@example.com"));
            Assert.Equal(["admin.created", "admin.role-changed", "admin.2fa-removed", "admin.removed"],
                await db.AuditEvents.Where(e => e.Target == "admin:roles@example.com").OrderBy(e => e.Id).Select(e => e.Action).ToListAsync());
        }
    }

    [Fact]
    public async Task Token_create_prints_a_token_that_authenticates_the_API_and_a_wrong_token_gets_401()
    {
        var result = await AdminCtlRunner.RunAsync(Db, "token", "create", "ci-deploy");
        Assert.Equal(0, result.ExitCode);
        var token = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
        Assert.StartsWith("act_", token, StringComparison.Ordinal);

        using var client = host.Factory.CreateHttpClient();
        using var ok = await GetOverviewAsync(client, token);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var body = JsonDocument.Parse(await ok.Content.ReadAsStringAsync());
        Assert.True(body.RootElement.GetProperty("database").GetProperty("up").GetBoolean());

        using var wrong = await GetOverviewAsync(client, token[..^2] + (token[^2..] == "AA" ? "BB" : "AA"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var list = await AdminCtlRunner.RunAsync(Db, "token", "list");
        Assert.Contains("ci-deploy", list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token, list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_token_gets_401()
    {
        var token = (await AdminCtlRunner.RunAsync(Db, "token", "create", "short-lived", "--scope", "read")).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
        using var client = host.Factory.CreateHttpClient();
        using (var before = await GetOverviewAsync(client, token)) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        Assert.Equal(0, (await AdminCtlRunner.RunAsync(Db, "token", "revoke", "short-lived")).ExitCode);
        using var after = await GetOverviewAsync(client, token);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task A_read_token_cannot_open_the_job_dashboard()
    {
        var token = (await AdminCtlRunner.RunAsync(Db, "token", "create", "reader", "--scope", "read")).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
        using var client = host.Factory.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("usage: adminctl")]
    [InlineData("usage: adminctl", "frobnicate")]
    [InlineData("usage: adminctl", "admin", "reset-password")]
    [InlineData("--scope must be read or read-write", "token", "create", "x", "--scope", "everything")]
    [InlineData("--role must be administrator or read-only", "admin", "create", "x@example.com", "--role", "owner")]
    public async Task Bad_usage_exits_2_and_says_what_is_expected(string message, params string[] args)
    {
        var result = await AdminCtlRunner.RunAsync(Db, args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_exits_3_with_a_message()
    {
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "adminctl")) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("migrate");
        start.Environment["Database__Port"] = "1";
        start.Environment["Credentials__Directory"] = TestEnvironment.CredentialsDirectory;
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(3, process.ExitCode);
        Assert.Contains("cannot use the database", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task dkim_ensure_gives_an_old_domain_its_keys_once_and_dkim_list_shows_the_records_the_console_shows()
    {
        // A domain from before DKIM: written straight to the database, without keys.
        var domain = $"old{Guid.NewGuid():N}"[..12] + ".test";
        await using (var db = host.Database.CreateContext())
        {
            db.Domains.Add(new AdminConsole.Core.Domains.MailDomain { Name = domain, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var ensured = await AdminCtlRunner.RunAsync(Db, "dkim", "ensure", domain);
        Assert.True(ensured.ExitCode == 0, ensured.Stderr);
        Assert.Equal(2, ensured.Stdout.Split('\n').Count(l => l.StartsWith($"{domain}: made ", StringComparison.Ordinal)));
        var again = await AdminCtlRunner.RunAsync(Db, "dkim", "ensure", domain);
        Assert.Contains("Every domain has its signing keys.", again.Stdout, StringComparison.Ordinal);

        var list = await AdminCtlRunner.RunAsync(Db, "dkim", "list", domain);
        Assert.Equal(0, list.ExitCode);
        using var client = await host.ApiClientAsync();
        var api = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync($"/api/v1/domains/{domain}/dkim")).RootElement.GetProperty("keys");
        foreach (var key in api.EnumerateArray())
        {
            Assert.Contains(key.GetProperty("recordName").GetString()!, list.Stdout, StringComparison.Ordinal);
            Assert.Contains(key.GetProperty("recordValue").GetString()!, list.Stdout, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("PRIVATE", list.Stdout, StringComparison.OrdinalIgnoreCase);
        var unknown = await AdminCtlRunner.RunAsync(Db, "dkim", "list", "nowhere.test");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No domain nowhere.test", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task dkim_rotate_starts_a_rotation_once_and_dkim_schedule_refuses_a_bad_interval()
    {
        using var client = await host.ApiClientAsync();
        var domain = $"rot{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", new StringContent($$"""{"name":"{{domain}}"}""", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        var started = await AdminCtlRunner.RunAsync(Db, "dkim", "rotate", domain);
        Assert.True(started.ExitCode == 0, started.Stderr);
        Assert.Contains("Made the next keys", started.Stdout, StringComparison.Ordinal);
        Assert.Contains("rotation publishing: Publish the TXT records", started.Stdout, StringComparison.Ordinal);
        var pending = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync($"/api/v1/domains/{domain}/dkim")).RootElement.GetProperty("keys")
            .EnumerateArray().Count(k => k.GetProperty("state").GetString() == "pending");
        Assert.Equal(2, pending);

        var again = await AdminCtlRunner.RunAsync(Db, "dkim", "rotate", domain);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("under way", again.Stderr, StringComparison.Ordinal);

        var bad = await AdminCtlRunner.RunAsync(Db, "dkim", "schedule", domain, "99");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("everyMonths", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await AdminCtlRunner.RunAsync(Db, "dkim", "schedule", domain, "soon")).ExitCode);
        var set = await AdminCtlRunner.RunAsync(Db, "dkim", "schedule", domain, "6");
        Assert.True(set.ExitCode == 0, set.Stderr);
        await using var db = host.Database.CreateContext();
        Assert.Equal(6, db.Domains.Single(d => d.Name == domain).DkimRotationMonths);
        Assert.Equal(0, (await AdminCtlRunner.RunAsync(Db, "dkim", "schedule", domain, "off")).ExitCode);
    }

    [Fact]
    public async Task srs_rotate_makes_a_new_signing_secret_the_engine_gets_beside_the_old_one()
    {
        await host.WaitForEngineAsync(s => s.Snapshot.Srs is { Secrets.Count: >= 1 }, "The engine has no SRS secret");
        var before = await AdminCtlRunner.RunAsync(Db, "srs", "status");
        Assert.True(before.ExitCode == 0, before.Stderr);
        var count = before.Stdout.Split('\n').Count(l => l.StartsWith("secret made ", StringComparison.Ordinal));

        var rotated = await AdminCtlRunner.RunAsync(Db, "srs", "rotate");
        Assert.True(rotated.ExitCode == 0, rotated.Stderr);
        Assert.Equal(count + 1, rotated.Stdout.Split('\n').Count(l => l.StartsWith("secret made ", StringComparison.Ordinal)));

        // The console compiles the new list on its next push (a change anywhere; here, a domain).
        using var client = await host.ApiClientAsync();
        var trigger = $"srs{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", new StringContent($$"""{"name":"{{trigger}}"}""", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        await host.WaitForEngineAsync(s => s.Snapshot.Srs?.Secrets.Count == count + 1, "The engine did not get the rotated SRS secrets");
    }

    [Fact]
    public async Task dns_records_prints_the_zone_the_API_exports_and_an_unknown_domain_exits_1()
    {
        using var client = await host.ApiClientAsync();
        var domain = $"z{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", new StringContent($$"""{"name":"{{domain}}"}""", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        // The same mail host as the console's (the test console's Engine:HostName).
        var records = await AdminCtlRunner.RunAsync(Db, new Dictionary<string, string> { ["Engine__HostName"] = "mx.console.test" }, "dns", "records", domain);
        Assert.True(records.ExitCode == 0, records.Stderr);
        Assert.Equal(await client.GetStringAsync($"/api/v1/domains/{domain}/dns/zone"), records.Stdout);

        var unknown = await AdminCtlRunner.RunAsync(Db, "dns", "check", "nowhere.test");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No domain nowhere.test", unknown.Stderr, StringComparison.Ordinal);
        var unset = await AdminCtlRunner.RunAsync(Db, "dns", "publish", domain);
        Assert.Equal(1, unset.ExitCode);
        Assert.Contains("no RFC 2136 server set up", unset.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task certificates_upload_stores_a_checked_certificate_that_reaches_the_engine_and_refuses_a_bad_one()
    {
        using var ca = new UploadCa();
        var folder = Directory.CreateTempSubdirectory("adminctl-cert").FullName;
        try
        {
            var roots = Path.Combine(folder, "roots.pem");
            await File.WriteAllTextAsync(roots, ca.RootPem);
            var environment = new Dictionary<string, string> { ["Certificates__TrustedRootsFile"] = roots };
            var (certificate, key) = ca.Issue(["ctl.upload.test"]);
            var chain = Path.Combine(folder, "chain.pem");
            var keyFile = Path.Combine(folder, "key.pem");
            await File.WriteAllTextAsync(chain, certificate.ExportCertificatePem() + "\n" + ca.IntermediatePem);
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());

            var uploaded = await AdminCtlRunner.RunAsync(Db, environment, "certificates", "upload", "--chain", chain, "--key", keyFile);
            Assert.True(uploaded.ExitCode == 0, uploaded.Stderr);
            Assert.Contains("\tvalid\tupload\tctl.upload.test\t", uploaded.Stdout, StringComparison.Ordinal);
            await host.WaitForEngineAsync(s => s.Certificate("ctl.upload.test")?.Leaf.SerialNumber == certificate.SerialNumber, "The engine did not get the certificate adminctl uploaded");
            var listed = await AdminCtlRunner.RunAsync(Db, "certificates", "list");
            Assert.Contains("ctl.upload.test", listed.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE", listed.Stdout, StringComparison.Ordinal);

            // Without the intermediate the chain does not build: refused, nothing stored.
            await File.WriteAllTextAsync(chain, certificate.ExportCertificatePem());
            var refused = await AdminCtlRunner.RunAsync(Db, environment, "certificates", "upload", "--chain", chain, "--key", keyFile, "--names", "other.upload.test");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("names: The certificate is not for other.upload.test", refused.Stderr, StringComparison.Ordinal);
            Assert.Equal(1, (await AdminCtlRunner.RunAsync(Db, "certificates", "renew", "not-an-id")).ExitCode);
            // No account at that CA yet: said, nothing changed.
            var noAccount = await AdminCtlRunner.RunAsync(Db, "certificates", "rollover-account", "--directory", "https://127.0.0.1:1/dir");
            Assert.Equal(1, noAccount.ExitCode);
            Assert.Contains("There is no ACME account at https://127.0.0.1:1/dir", noAccount.Stderr);

            var id = listed.Stdout.Split('\n').Single(l => l.Contains("ctl.upload.test", StringComparison.Ordinal)).Split('\t')[0];
            var deleted = await AdminCtlRunner.RunAsync(Db, "certificates", "delete", id);
            Assert.True(deleted.ExitCode == 0, deleted.Stderr);
            await host.WaitForEngineAsync(s => s.Certificate("ctl.upload.test") is null, "The certificate adminctl deleted stayed in the engine");
            certificate.Dispose();
            key.Dispose();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task<HttpResponseMessage> GetOverviewAsync(HttpClient client, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/overview");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
