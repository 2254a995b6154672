using System.Net;
using System.Text.Json;
using AdminConsole.Testing;
using MailEngine.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>GET /api/v1/queue and its actions over the console's engine, with a remote exchanger that refuses connections.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class QueueApiTests(QueueHost host) : IClassFixture<QueueHost>
{
    private static async Task<JsonElement> WaitForDeferredAsync(HttpClient api, string sender)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var listing = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/queue?state=deferred&domain={sender.Split('@')[1]}")).RootElement;
            if (listing.GetProperty("messages").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } found) return found.Clone();
            await Task.Delay(100);
        }

        throw new TimeoutException($"no deferred message from {sender}");
    }

    [Fact]
    public async Task A_deferred_message_is_listed_with_its_reply_and_deleted_with_an_audit_event()
    {
        var sender = await host.SenderAsync();
        using var api = await host.ApiClientAsync();
        await host.SendToRemoteAsync(sender, "will be deleted");

        var queued = await WaitForDeferredAsync(api, sender);
        Assert.Equal(("local", sender, "deferred", 1), (queued.GetProperty("node").GetString(), queued.GetProperty("sender").GetString(), queued.GetProperty("state").GetString(), queued.GetProperty("attempts").GetInt32()));
        var recipient = queued.GetProperty("recipients").EnumerateArray().Single();
        Assert.Equal($"rita@{QueueHost.RemoteDomain}", recipient.GetProperty("address").GetString());
        Assert.False(string.IsNullOrEmpty(recipient.GetProperty("lastReply").GetString()));
        var queueId = queued.GetProperty("queueId").GetString()!;

        // Filters: another domain or state shows nothing of it.
        var other = JsonDocument.Parse(await api.GetStringAsync("/api/v1/queue?domain=elsewhere.example")).RootElement;
        Assert.DoesNotContain(other.GetProperty("messages").EnumerateArray(), m => m.GetProperty("queueId").GetString() == queueId);
        using (var bad = await api.GetAsync("/api/v1/queue?state=stuck"))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        using (var deleted = await api.DeleteAsync($"/api/v1/queue/local/{queueId}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var after = JsonDocument.Parse(await api.GetStringAsync("/api/v1/queue")).RootElement;
        Assert.DoesNotContain(after.GetProperty("messages").EnumerateArray(), m => m.GetProperty("queueId").GetString() == queueId);
        using (var again = await api.DeleteAsync($"/api/v1/queue/local/{queueId}"))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using (var noNode = await api.PostAsync($"/api/v1/queue/mx9/{queueId}/retry", null))
            Assert.Equal(HttpStatusCode.NotFound, noNode.StatusCode);

        await using var db = host.Database.CreateContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.Action == "queue.delete" && e.Target == $"local:{queueId}"));
    }

    [Fact]
    public async Task A_bounced_message_leaves_the_queue_and_its_sender_gets_the_report()
    {
        var sender = await host.SenderAsync();
        using var api = await host.ApiClientAsync();
        await host.SendToRemoteAsync(sender, "will bounce");
        var queueId = (await WaitForDeferredAsync(api, sender)).GetProperty("queueId").GetString()!;

        using (var bounced = await api.PostAsync($"/api/v1/queue/local/{queueId}/bounce", null))
            Assert.Equal(HttpStatusCode.NoContent, bounced.StatusCode);
        var inbox = Path.Combine(host.Factory.Services.GetRequiredService<MailEngineHost>().Maildirs.MaildirPath(sender), "new");
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!(Directory.Exists(inbox) && Directory.GetFiles(inbox).Length > 0) && DateTime.UtcNow < deadline) await Task.Delay(50);
        var dsn = await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(inbox)));
        Assert.Contains("Subject: Undelivered Mail Returned to Sender", dsn, StringComparison.Ordinal);
        Assert.Contains("removed from the queue by the administrator", dsn, StringComparison.Ordinal);
    }
}
