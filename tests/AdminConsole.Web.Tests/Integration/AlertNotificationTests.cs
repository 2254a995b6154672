using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Core.Alerts;
using AdminConsole.Core.Engine;
using AdminConsole.Testing;
using MailEngine.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// An alert from a real condition (a domain's DNS check finding broken records) through the minutely
/// job to a webhook receiver on loopback and to an admin's mailbox through the engine, resolved the
/// same way; silences keep it quiet; the API refuses bad channels and never returns a webhook URL.
/// </summary>
public sealed class AlertNotificationTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    /// <summary>A webhook endpoint: every POST's JSON body, kept in arrival order.</summary>
    private sealed class WebhookReceiver : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        public ConcurrentQueue<JsonElement> Bodies { get; } = new();
        public string Url { get; }

        public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, string what)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline)
            {
                foreach (var body in Bodies)
                    if (match(body)) return body;
                await Task.Delay(50);
            }

            throw new TimeoutException($"the webhook never got {what}; it got: {string.Join(" | ", Bodies)}");
        }

        public WebhookReceiver()
        {
            var port = MailEngine.Server.Tests.EngineNodeProcess.FreePort();
            Url = $"http://127.0.0.1:{port}/hooks/secret-token-abc/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await _listener.GetContextAsync(); }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                    Bodies.Enqueue(await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.InputStream));
                    context.Response.StatusCode = 204;
                    context.Response.Close();
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }
    }

    private async Task RunJobAsync()
    {
        await using var scope = host.Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AlertEvaluationJob>().RunAsync(CancellationToken.None);
    }

    private async Task RecordDnsCheckAsync(string domain, int broken)
    {
        await using var db = host.Database.CreateContext();
        var d = await db.Domains.SingleAsync(x => x.Name == domain);
        db.DnsChecks.Add(new Core.Dns.DnsCheck { Id = Guid.NewGuid(), DomainId = d.Id, CheckedAt = DateTimeOffset.UtcNow, Broken = broken, Result = "{}" });
        await db.SaveChangesAsync();
    }

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(50);
        }

        throw new TimeoutException($"never saw {what}");
    }

    private string[] Inbox(string address)
    {
        var dir = Path.Combine(host.Factory.Services.GetRequiredService<MailEngineHost>().Maildirs.MaildirPath(address), "new");
        return Directory.Exists(dir) ? Directory.GetFiles(dir) : [];
    }

    [Fact]
    public async Task Broken_DNS_records_fire_to_a_webhook_and_an_admins_mailbox_and_resolve_there_too()
    {
        var domain = $"a{Guid.NewGuid():N}"[..12] + ".test";
        await host.Database.SeedAsync(domain, new MailboxSeed("ops", "ops mailbox password"));
        // Its signing keys, as a domain made in the console has them: alert mail is sent from alerts@ the first domain.
        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Core.Data.AdminDbContext>();
            await scope.ServiceProvider.GetRequiredService<Core.Dkim.DkimKeyService>().EnsureSigningKeysAsync(await db.Domains.SingleAsync(d => d.Name == domain), "test", CancellationToken.None);
            await db.SaveChangesAsync();
        }

        host.Factory.Services.GetRequiredService<EnginePushScheduler>().Request();
        await host.WaitForEngineAsync(s => s.Resolve(MailEngine.Addressing.EmailAddress.Parse($"ops@{domain}")).Kind == MailEngine.Control.RecipientKind.LocalMailbox
            && s.Domain(domain)?.DkimKeys is { Count: > 0 }, $"ops@{domain} and the domain's DKIM keys");

        await using var receiver = new WebhookReceiver();
        using var api = await host.ApiClientAsync();
        using (var created = await api.PostAsJsonAsync("/api/v1/alerts/channels", new { name = $"hook-{domain}", kind = "webhook", url = receiver.Url, rules = new[] { "DnsRecordsBroken" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var text = await created.Content.ReadAsStringAsync();
            Assert.DoesNotContain("secret-token-abc", text, StringComparison.Ordinal);
            Assert.Contains("\"urlHost\":\"http://127.0.0.1:", text, StringComparison.Ordinal);
        }

        using (var created = await api.PostAsJsonAsync("/api/v1/alerts/channels", new { name = $"mail-{domain}", kind = "email", recipients = new[] { $"ops@{domain}" }, rules = new[] { "DnsRecordsBroken" } }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain("secret-token-abc", await api.GetStringAsync("/api/v1/alerts/channels"), StringComparison.Ordinal);
        await using (var db = host.Database.CreateContext())
            Assert.DoesNotContain("secret-token-abc", string.Join("|", await db.AlertChannels.Select(c => c.UrlHost + Convert.ToBase64String(c.SealedUrl ?? Array.Empty<byte>())).ToListAsync()), StringComparison.Ordinal);

        var subject = $"domain={domain}";
        await RecordDnsCheckAsync(domain, broken: 2);
        await RunJobAsync();

        var firing = await receiver.WaitForAsync(b => b.GetProperty("subject").GetString() == subject, "the firing alert");
        Assert.Equal(("firing", "DnsRecordsBroken", "warning"), (firing.GetProperty("status").GetString(), firing.GetProperty("alert").GetString(), firing.GetProperty("severity").GetString()));
        Assert.Contains($"2 DNS record(s) of {domain} are missing or wrong", firing.GetProperty("message").GetString(), StringComparison.Ordinal);

        var firstMail = await WaitAsync(() => Task.FromResult(Inbox($"ops@{domain}").FirstOrDefault()), "the alert mail");
        var mail = await File.ReadAllTextAsync(firstMail);
        Assert.Contains($"Subject: [WARNING] DNS records broken: domain={domain}", mail, StringComparison.Ordinal);
        Assert.Contains($"DKIM-Signature: v=1; a=rsa-sha256; d={domain};", mail.Replace("\r\n\t", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("Auto-Submitted: auto-generated", mail, StringComparison.Ordinal);

        var alerts = JsonDocument.Parse(await api.GetStringAsync("/api/v1/alerts")).RootElement;
        Assert.Contains(alerts.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("subject").GetString() == subject && a.GetProperty("status").GetString() == "firing");

        // Fixed: the next check finds nothing broken, and the next evaluation resolves it on both channels.
        await RecordDnsCheckAsync(domain, broken: 0);
        await RunJobAsync();
        var resolved = await receiver.WaitForAsync(b => b.GetProperty("subject").GetString() == subject && b.GetProperty("status").GetString() == "resolved", "the resolved alert");
        Assert.Equal("DnsRecordsBroken", resolved.GetProperty("alert").GetString());
        await WaitAsync(() => Task.FromResult(Inbox($"ops@{domain}").Length >= 2 ? "" : null), "the resolved mail");
        Assert.Contains(Inbox($"ops@{domain}").Select(File.ReadAllText), m => m.Contains($"Subject: [RESOLVED] DNS records broken: domain={domain}", StringComparison.Ordinal));
        // Told once each way, whoever ran the evaluation (this test or the minutely job).
        Assert.Equal(["firing", "resolved"], receiver.Bodies.Where(b => b.GetProperty("subject").GetString() == subject).Select(b => b.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_silenced_rule_fires_on_the_page_but_tells_no_channel()
    {
        var domain = $"s{Guid.NewGuid():N}"[..12] + ".test";
        await host.Database.SeedAsync(domain);
        await using var receiver = new WebhookReceiver();
        using var api = await host.ApiClientAsync();
        using (var created = await api.PostAsJsonAsync("/api/v1/alerts/channels", new { name = $"hook-{domain}", kind = "webhook", url = receiver.Url, format = "slack" }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var silenced = await api.PostAsJsonAsync("/api/v1/alerts/silences", new { rule = "DnsRecordsBroken", subjectContains = domain, until = DateTimeOffset.UtcNow.AddHours(2), reason = "moving the zone" }))
            Assert.Equal(HttpStatusCode.Created, silenced.StatusCode);

        await RecordDnsCheckAsync(domain, broken: 1);
        await RunJobAsync();
        var alerts = JsonDocument.Parse(await api.GetStringAsync("/api/v1/alerts")).RootElement;
        Assert.Contains(alerts.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("subject").GetString() == $"domain={domain}" && a.GetProperty("status").GetString() == "firing");
        await using (var db = host.Database.CreateContext())
            Assert.False(await db.AlertNotifications.AnyAsync(n => n.Subject == $"domain={domain}"));
        Assert.DoesNotContain(receiver.Bodies, b => b.GetProperty("text").GetString()!.Contains(domain, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"name":"","kind":"email","recipients":["ops@example.test"]}""", "name")]
    [InlineData("""{"name":"x1","kind":"pager"}""", "kind")]
    [InlineData("""{"name":"x2","kind":"email","recipients":["not an address"]}""", "recipients")]
    [InlineData("""{"name":"x3","kind":"email"}""", "recipients")]
    [InlineData("""{"name":"x4","kind":"webhook","url":"ftp://example.test/x"}""", "url")]
    [InlineData("""{"name":"x5","kind":"webhook","url":"https://example.test/x","format":"teams"}""", "format")]
    [InlineData("""{"name":"x6","kind":"email","recipients":["ops@example.test"],"rules":["NoSuchRule"]}""", "rules")]
    [InlineData("""{"name":"x7","kind":"email","recipients":["ops@example.test"],"minSeverity":"urgent"}""", "minSeverity")]
    public async Task A_bad_channel_is_refused_beside_its_field_and_nothing_is_stored(string body, string field)
    {
        using var api = await host.ApiClientAsync();
        using var response = await api.PostAsync("/api/v1/alerts/channels", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        await using var db = host.Database.CreateContext();
        var name = JsonDocument.Parse(body).RootElement.GetProperty("name").GetString();
        Assert.False(await db.AlertChannels.AnyAsync(c => c.Name == name));
    }

    [Theory]
    [InlineData(-1, "a reason", "until")]
    [InlineData(24 * 100, "a reason", "until")]
    [InlineData(2, "", "reason")]
    public async Task A_bad_silence_is_refused(int hours, string reason, string field)
    {
        using var api = await host.ApiClientAsync();
        using var response = await api.PostAsJsonAsync("/api/v1/alerts/silences", new { rule = "QueueStuck", until = DateTimeOffset.UtcNow.AddHours(hours), reason });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }
}
