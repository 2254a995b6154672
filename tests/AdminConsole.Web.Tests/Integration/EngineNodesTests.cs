using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Linq.Expressions;
using AdminConsole.Core.Accounts;
using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using AdminConsole.Testing;
using MailEngine.Server.Tests;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// The console with its in-process engine off, feeding two mailengine-node processes over HTTP: one
/// snapshot follower delivers every version to both, a stopped node is reported with its error, and it
/// catches up when it comes back (issue #14, "One way a snapshot travels").
/// </summary>
public sealed class EngineNodesTests : IAsyncLifetime
{
    private EngineNodePair _pair = default!;
    private TestDatabase _database = default!;
    private ConsoleFactory _console = default!;
    private readonly UploadCa _uploads = new();
    private readonly string _roots = Path.Combine(Path.GetTempPath(), $"node-roots-{Guid.NewGuid():N}.pem");

    private EngineNodeProcess[] Nodes => _pair.Nodes;

    public async Task InitializeAsync()
    {
        _pair = await EngineNodePair.StartAsync();
        _database = new TestDatabase();
        await _database.InitializeAsync();
        await File.WriteAllTextAsync(_roots, _uploads.RootPem);
        _console = new ConsoleFactory(_database.Name, settings: new Dictionary<string, string>(_pair.ConsoleSettings) { ["Certificates:TrustedRootsFile"] = _roots });
        _ = _console.BaseAddress;
    }

    public async Task DisposeAsync()
    {
        _pair?.Dispose();
        if (_console is not null) await _console.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        _uploads.Dispose();
        File.Delete(_roots);
    }

    /// <summary>A certificate saved in the console is loaded by both nodes, as each says in its status; this console has no HTTPS listener and says so.</summary>
    [Fact]
    public async Task A_certificate_reaches_both_nodes_and_the_page_says_where_it_is_installed()
    {
        using var api = await ApiAsync();
        var (certificate, key) = _uploads.Issue(["mail.nodes.test"]);
        using (certificate)
        using (key)
        {
            using var uploaded = await api.PostAsync("/api/v1/certificates", Json(JsonSerializer.Serialize(new
            {
                certificatePem = certificate.ExportCertificatePem() + "\n" + _uploads.IntermediatePem,
                privateKeyPem = key.ExportPkcs8PrivateKeyPem(),
            })));
            Assert.True(uploaded.IsSuccessStatusCode, await uploaded.Content.ReadAsStringAsync());
            var id = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (true)
            {
                var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/certificates/{id}");
                var inUse = view.GetProperty("inUse").EnumerateArray().Select(e => e.GetString()).ToList();
                if (inUse.SequenceEqual(["engine node mx1", "engine node mx2"])) break;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The certificate is installed on {string.Join(", ", inUse)} only.");
                await Task.Delay(200);
            }
        }
    }

    private async Task<HttpClient> ApiAsync()
    {
        await using var scope = _console.Services.CreateAsyncScope();
        var token = await scope.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync($"t{Guid.NewGuid():N}", ApiTokenScope.ReadWrite, "test");
        var client = _console.CreateHttpClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Plaintext);
        return client;
    }

    /// <summary>Reads GET /api/v1/engine/status until <paramref name="done"/> holds (a slow machine is slow, not wrong: the bound is generous).</summary>
    private static async Task<JsonElement> StatusUntilAsync(HttpClient api, Func<JsonElement, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        JsonElement status;
        while (true)
        {
            status = await api.GetFromJsonAsync<JsonElement>("/api/v1/engine/status");
            if (done(status)) return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waiting for {what}; last status: {status}");
            await Task.Delay(100);
        }
    }

    private static JsonElement Node(JsonElement status, string name) => status.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("name").GetString() == name);

    private static long Desired(JsonElement status) => status.GetProperty("desiredVersion").ValueKind == JsonValueKind.Number ? status.GetProperty("desiredVersion").GetInt64() : -1;

    private static bool Runs(JsonElement status, string node, long version) => Node(status, node).GetProperty("appliedVersion").GetInt64() >= version;

    private static async Task SendAsync(int port, string to)
    {
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync("127.0.0.1", port, MailKit.Security.SecureSocketOptions.None);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@outside.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "to both nodes";
        // 1.1 MB: more than the 1 MiB quota the test lowers the mailbox to.
        message.Body = new TextPart("plain") { Text = string.Join("\r\n", Enumerable.Repeat(new string('x', 76), 14_500)) };
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
    }

    [Fact]
    public async Task Both_nodes_get_every_version_and_a_stopped_node_catches_up()
    {
        using var api = await ApiAsync();
        var domain = $"n{Guid.NewGuid():N}"[..12] + ".test";
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}","defaultQuotaBytes":52428800}"""))).StatusCode);
        var address = $"ann@{domain}";
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"{{address}}","quotaBytes":2097152}"""))).StatusCode);

        // The first version with the mailbox in it: the domain's own push (or the SRS secret's) may publish
        // a version without it that both nodes run before the mailbox's push is compiled.
        var withMailbox = await FirstVersionAsync(v => v.Mailboxes == 1);
        var status = await StatusUntilAsync(api, s => Runs(s, "mx1", withMailbox) && Runs(s, "mx2", withMailbox), "both nodes to apply the mailbox");
        Assert.Equal(["mx1", "mx2"], status.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        Assert.True(status.GetProperty("inSync").GetBoolean());
        // Each node accepts mail for the new mailbox on its own MX port.
        await SendAsync(Nodes[0].MxPort, address);
        await SendAsync(Nodes[1].MxPort, address);

        // mx2 stops; a quota change still reaches mx1, and the status says what mx2 lacks and why.
        Nodes[1].Kill();
        // The desired version read after the kill: a version compiled between the status above and the
        // kill (seen under load) may have reached mx2, so only one made after this can be one it lacks.
        var before = Desired(await StatusUntilAsync(api, _ => true, "the status after stopping mx2"));
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/api/v1/mailboxes/{address}", Json("""{"quotaBytes":1048576}"""))).StatusCode);
        status = await StatusUntilAsync(api, s => Desired(s) > before && Runs(s, "mx1", Desired(s)) && Node(s, "mx2").GetProperty("lastError").ValueKind == JsonValueKind.String,
            "mx1 to apply the quota change and mx2 to be reported unreachable");
        var changed = Desired(status);
        var mx2 = Node(status, "mx2");
        Assert.True(mx2.GetProperty("appliedVersion").GetInt64() < changed);
        Assert.False(mx2.GetProperty("reachable").GetBoolean());
        Assert.Contains("cannot be reached", mx2.GetProperty("lastError").GetString());
        Assert.False(status.GetProperty("inSync").GetBoolean());
        // mx1 enforces the new quota: the mailbox holds more than 1 MiB there, so new mail is refused.
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(Nodes[0].MxPort, address));
        Assert.Equal(SmtpStatusCode.ExceededStorageAllocation, refused.StatusCode);

        // The Engine page shows both nodes, their versions and mx2's error (server-side prerender).
        var html = await SignedInPageAsync("/engine");
        Assert.Contains("data-node=\"mx1\"", html);
        Assert.Contains("data-node=\"mx2\"", html);
        Assert.Contains("unreachable", html);
        Assert.Contains("cannot be reached", html);

        // mx2 comes back with the version it had; the follower catches it up.
        await Nodes[1].StartAsync();
        status = await StatusUntilAsync(api, s => Runs(s, "mx2", changed) && Node(s, "mx2").GetProperty("reachable").GetBoolean(), "mx2 to catch up");
        Assert.Equal(JsonValueKind.Null, Node(status, "mx2").GetProperty("lastError").ValueKind);
        var refusedToo = await Assert.ThrowsAsync<SmtpCommandException>(() => SendAsync(Nodes[1].MxPort, address));
        Assert.Equal(SmtpStatusCode.ExceededStorageAllocation, refusedToo.StatusCode);
    }

    /// <summary>Waits for the first published version that holds (the test database has this test's state only).</summary>
    private async Task<long> FirstVersionAsync(Expression<Func<EngineSnapshotVersion, bool>> holds)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            await using (var scope = _console.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
                if (await db.EngineSnapshotVersions.Where(holds).OrderBy(v => v.Version).Select(v => (long?)v.Version).FirstOrDefaultAsync() is { } version)
                    return version;
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException("Waiting for a snapshot version with the mailbox");
            await Task.Delay(100);
        }
    }

    private async Task<string> SignedInPageAsync(string path)
    {
        var email = $"a{Guid.NewGuid():N}"[..10] + "@console.test";
        await using var scope = _console.Services.CreateAsyncScope();
        var admin = await scope.ServiceProvider.GetRequiredService<AdminAccountService>().CreateAsync(email, AdminRole.Administrator, "test");
        var client = _console.CreateHttpClient();
        using var response = await SignInForm.PostAsync(client, email, admin.Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return await client.GetStringAsync(path);
    }
}
