using MailEngine.Auth;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Core;
using AdminConsole.Core.Engine;
using AdminConsole.Core.Groups;
using AdminConsole.Testing;
using MailEngine.Hosting;
using MailEngine.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>The control plane driving the engine: PostgreSQL → snapshot → push → SMTP → Maildir.</summary>
public sealed class EngineIntegrationTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static readonly string Hash = MailPasswordHasher.Hash("member-password-1");

    private sealed class AsyncDisposer(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose();
    }

    private MailEngineHost Engine => host.Factory.Services.GetRequiredService<MailEngineHost>();

    private async Task<string> CreateDomainWithMailboxesAsync(params string[] locals)
    {
        var name = $"d{Guid.NewGuid():N}"[..12] + ".test";
        await host.Database.SeedAsync(name, [.. locals.Select(local => new MailboxSeed(local, PasswordHash: Hash))]);
        // Written outside the console's services, so ask for the push the console would have made.
        host.Factory.Services.GetRequiredService<EnginePushScheduler>().Request();
        return name;
    }

    private async Task CreateGroupAsync(string domain, string local, params string[] members)
    {
        await using (var db = host.Database.CreateContext())
        {
            var d = await db.Domains.SingleAsync(x => x.Name == domain);
            db.Groups.Add(new GroupAlias { DomainId = d.Id, LocalPart = local, Address = $"{local}@{domain}", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        await using var scope = host.Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<GroupService>().SetMembersAsync($"{local}@{domain}", members, "test");
    }

    /// <summary>
    /// Waits until the engine runs a snapshot in which the address is known with at least the given number of
    /// targets (the push is a background job, and an earlier push may have caught a group before its members).
    /// </summary>
    private async Task WaitForEngineToKnowAsync(string address, int targets = 1)
    {
        await host.WaitForEngineAsync(s => s.Resolve(MailEngine.Addressing.EmailAddress.Parse(address)) is var r
            && r.Kind is not (MailEngine.Control.RecipientKind.Unknown or MailEngine.Control.RecipientKind.Remote) && r.Targets.Count >= targets,
            $"The engine never learnt {address}");
    }

    private async Task SendAsync(string to, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("someone@outside.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Hello group.\r\n" };
        var mx = Engine.Endpoints[ListenerKind.Mx];
        using var client = new SmtpClient();
        await client.ConnectAsync(mx.Address.ToString(), mx.Port, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    private async Task<string[]> WaitForInboxAsync(string address, int count)
    {
        var dir = Path.Combine(Engine.Maildirs.MaildirPath(address), "new");
        var deadline = DateTime.UtcNow.AddMinutes(3); // past the engine's own bound for the scanner at end of DATA (2 minutes)
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.Exists(dir) && Directory.GetFiles(dir).Length >= count) return Directory.GetFiles(dir);
            await Task.Delay(25);
        }

        throw new TimeoutException($"{address} did not receive {count} message(s).");
    }

    [Fact]
    public async Task A_group_whose_members_are_given_as_bare_names_delivers_to_every_member_the_seeds_bug()
    {
        var domain = await CreateDomainWithMailboxesAsync("alice", "bob");
        await CreateGroupAsync(domain, "support", "alice", "bob");
        await WaitForEngineToKnowAsync($"support@{domain}", targets: 2);

        await SendAsync($"support@{domain}", "to support");

        foreach (var member in new[] { $"alice@{domain}", $"bob@{domain}" })
        {
            var stored = await File.ReadAllTextAsync(Assert.Single(await WaitForInboxAsync(member, 1)));
            Assert.Contains($"Delivered-To: {member}\r\n", stored, StringComparison.Ordinal);
            Assert.Contains("Subject: to support", stored, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Nested_groups_expand_and_a_loop_is_refused_naming_the_cycle_and_nothing_changes()
    {
        var domain = await CreateDomainWithMailboxesAsync("carol");
        await CreateGroupAsync(domain, "inner", "carol");
        await CreateGroupAsync(domain, "outer", "inner", "partner@elsewhere.test");

        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            var groups = scope.ServiceProvider.GetRequiredService<GroupService>();
            var e = await Assert.ThrowsAsync<DomainConflictException>(() => groups.SetMembersAsync($"inner@{domain}", ["carol", "outer"], "test"));
            Assert.Contains($"inner@{domain} → outer@{domain} → inner@{domain}", e.Message, StringComparison.Ordinal);
        }

        await using var db = host.Database.CreateContext();
        var inner = await db.Groups.Include(g => g.Members).SingleAsync(g => g.Address == $"inner@{domain}");
        Assert.Equal(GroupMemberKind.Mailbox, Assert.Single(inner.Members).Kind);

        await WaitForEngineToKnowAsync($"outer@{domain}", targets: 2);
        var resolution = Engine.Snapshots.Current.Resolve(MailEngine.Addressing.EmailAddress.Parse($"outer@{domain}"));
        Assert.Equal([$"carol@{domain}", "partner@elsewhere.test"], resolution.Targets);
    }

    [Fact]
    public async Task A_bare_name_that_is_not_a_mailbox_here_is_refused()
    {
        var domain = await CreateDomainWithMailboxesAsync("dan");
        await using var db = host.Database.CreateContext();
        db.Groups.Add(new GroupAlias { DomainId = (await db.Domains.SingleAsync(d => d.Name == domain)).Id, LocalPart = "team", Address = $"team@{domain}", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        await using var scope = host.Factory.Services.CreateAsyncScope();
        var e = await Assert.ThrowsAsync<DomainValidationException>(() => scope.ServiceProvider.GetRequiredService<GroupService>().SetMembersAsync($"team@{domain}", ["dan", "ghost"], "test"));
        Assert.Contains($"ghost@{domain}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_status_shows_the_desired_version_applied()
    {
        var domain = await CreateDomainWithMailboxesAsync("erin");
        await WaitForEngineToKnowAsync($"erin@{domain}");
        var admin = await host.CreateAdminAsync($"engine{Guid.NewGuid():N}@example.com");
        using var client = await host.SignedInClientAsync(admin.Account.Email, admin.Password);

        using var body = JsonDocument.Parse(await client.GetStringAsync("/api/v1/engine/status"));
        var root = body.RootElement;
        Assert.True(root.GetProperty("desiredVersion").GetInt64() >= 1);
        Assert.Equal(root.GetProperty("desiredVersion").GetInt64(), root.GetProperty("appliedVersion").GetInt64());
        Assert.True(root.GetProperty("inSync").GetBoolean());
        Assert.Equal(Engine.Endpoints[ListenerKind.Mx].ToString(), root.GetProperty("listeners").GetProperty("mx").GetString());

        using var page = await client.GetAsync("/engine");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var metrics = PrometheusExposition.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(root.GetProperty("appliedVersion").GetInt64(), metrics.Value("mailengine_snapshot_applied_version", ("node", "local")));
        Assert.Equal(root.GetProperty("desiredVersion").GetInt64(), metrics.Value("mailengine_snapshot_desired_version"));
        Assert.Equal(1, metrics.Value("mailengine_node_up", ("node", "local")));
        Assert.Equal("counter", metrics.Types["mailengine_messages_accepted_total"]);
    }

    [Fact]
    public async Task The_engine_counters_in_metrics_move_when_mail_flows()
    {
        var domain = await CreateDomainWithMailboxesAsync("carol");
        await WaitForEngineToKnowAsync($"carol@{domain}");
        using var client = host.Factory.CreateHttpClient();
        double Count(PrometheusExposition m, string name, string label, string value) => m.Of(name, ("node", "local"), (label, value)).Sum(s => s.Value);

        var before = PrometheusExposition.Parse(await client.GetStringAsync("/metrics"));
        await SendAsync($"carol@{domain}", "counted");
        await WaitForInboxAsync($"carol@{domain}", 1);
        // The copy is counted, and the message leaves the queue, just after the file is in new/.
        var delivered = Count(before, "mailengine_messages_delivered_total", "kind", "local") + 1;
        PrometheusExposition after;
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            after = PrometheusExposition.Parse(await client.GetStringAsync("/metrics"));
            if ((Count(after, "mailengine_messages_delivered_total", "kind", "local") >= delivered && after.Value("mailengine_queue_messages", ("node", "local")) == 0) || DateTime.UtcNow > deadline) break;
            await Task.Delay(50);
        }

        // The test class's other tests run before or after this one, never beside it: the figures move by exactly this message.
        Assert.Equal(Count(before, "mailengine_messages_accepted_total", "listener", "mx") + 1, Count(after, "mailengine_messages_accepted_total", "listener", "mx"));
        Assert.Equal(delivered, Count(after, "mailengine_messages_delivered_total", "kind", "local"));
        Assert.Equal(0, after.Value("mailengine_queue_messages", ("node", "local")));
        Assert.Equal("gauge", after.Types["mailengine_queue_oldest_seconds"]);
    }

    [Fact]
    public async Task DMARC_reports_are_sent_on_request_for_a_day_the_engine_keeps_and_other_days_are_a_problem()
    {
        using var api = await host.ApiClientAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        foreach (var (day, why) in new[] { (today.AddDays(1), "has not begun"), (today.AddDays(-30), "last 14 days") })
        {
            var problem = await ApiTesting.ProblemAsync(await api.PostAsync("/api/v1/engine/dmarc-reports", ApiTesting.Json($$"""{"day":"{{day:yyyy-MM-dd}}"}""")), HttpStatusCode.BadRequest);
            Assert.Contains(why, problem.GetProperty("errors").GetProperty("day")[0].GetString(), StringComparison.Ordinal);
        }

        // No day given: yesterday, as the daily job. The in-process node answers (no mail from reporting senders arrived here that day).
        using var sent = await api.PostAsync("/api/v1/engine/dmarc-reports", ApiTesting.Json("{}"));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var body = await sent.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(today.AddDays(-1).ToString("yyyy-MM-dd"), body.GetProperty("day").GetString());
        var node = Assert.Single(body.GetProperty("nodes").EnumerateArray().ToList());
        Assert.Equal(JsonValueKind.Null, node.GetProperty("error").ValueKind);
        Assert.Empty(node.GetProperty("reports").EnumerateArray());

        using var reader = await host.ApiClientAsync(AdminConsole.Core.Accounts.ApiTokenScope.Read);
        using var denied = await reader.PostAsync("/api/v1/engine/dmarc-reports", ApiTesting.Json("{}"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Fact]
    public async Task The_engine_keeps_accepting_mail_for_existing_mailboxes_with_PostgreSQL_down()
    {
        // A database of its own: a host that loses PostgreSQL mid-job must not hold jobs the other tests wait for.
        var database = new TestDatabase();
        await database.InitializeAsync();
        await using var _ = new AsyncDisposer(database.DisposeAsync);
        const string domain = "down.test";
        await database.SeedAsync(domain, new MailboxSeed("frank", PasswordHash: Hash));

        await using var proxy = new TcpProxy(new IPEndPoint(IPAddress.Loopback, TestEnvironment.Database("x").Port));
        await using var factory = new ConsoleFactory(database.Name, proxy.Port);
        using var http = factory.CreateHttpClient();
        var engine = factory.Services.GetRequiredService<MailEngineHost>();
        await EngineWait.WaitForEngineAsync(factory.Services, s => s.Mailbox($"frank@{domain}") is not null, "The engine never got the snapshot");

        proxy.Cut();
        using (var health = await http.GetAsync("/healthz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("someone@outside.test"));
        message.To.Add(MailboxAddress.Parse($"frank@{domain}"));
        message.Subject = "while the database is down";
        message.Body = new TextPart("plain") { Text = "Still flowing.\r\n" };
        var mx = engine.Endpoints[ListenerKind.Mx];
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(mx.Address.ToString(), mx.Port, SecureSocketOptions.None);
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }

        var dir = Path.Combine(engine.Maildirs.MaildirPath($"frank@{domain}"), "new");
        var deadline = DateTime.UtcNow.AddMinutes(3); // past the engine's own bound for the scanner at end of DATA (2 minutes)
        while (!Directory.Exists(dir) || Directory.GetFiles(dir).Length == 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The message was not delivered.");
            await Task.Delay(25);
        }
    }
}
