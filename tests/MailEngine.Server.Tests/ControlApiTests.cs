using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MailEngine.Contracts;
using MailEngine.Control;

namespace MailEngine.Server.Tests;

/// <summary>An engine node takes snapshots over HTTP from whoever holds the control token, and from nobody else.</summary>
public sealed class ControlApiTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("node").FullName;
    private EngineNodeProcess _node = default!;
    private HttpClient _http = default!;

    public async Task InitializeAsync()
    {
        var credentials = Directory.CreateDirectory(Path.Combine(_root, "credentials")).FullName;
        await File.WriteAllTextAsync(Path.Combine(credentials, "engine-control-token"), "node-token-123\n");
        _node = new EngineNodeProcess(_root, EngineNodeProcess.FreePort(), EngineNodeProcess.FreePort(), credentials);
        await _node.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_node.ControlPort}") };
        await _node.WaitForScannerAsync(); // /healthz answers (and kills the node when it never does)
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        _node.Dispose();
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private static EngineSnapshot Snapshot(long version) => new()
    {
        Version = version,
        CompiledAt = DateTimeOffset.UtcNow,
        Domains = [new SnapshotDomain("node.test", 1024 * 1024)],
        Mailboxes = [new SnapshotMailbox("n@node.test", "{ARGON2ID}x", 1024 * 1024)],
    };

    private async Task<HttpResponseMessage> PutAsync(EngineSnapshot snapshot, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/control/snapshot") { Content = JsonContent.Create(snapshot, options: JsonSerializerOptions.Web) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task A_snapshot_pushed_with_the_token_is_applied_and_an_older_one_refused()
    {
        using (var ok = await PutAsync(Snapshot(3), "node-token-123"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(3, (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("appliedVersion").GetInt64());
        }

        using var older = await PutAsync(Snapshot(2), "node-token-123");
        Assert.Equal(HttpStatusCode.Conflict, older.StatusCode);
        Assert.Equal("application/problem+json", older.Content.Headers.ContentType?.MediaType);
        Assert.True(File.Exists(Path.Combine(_root, "state", EngineSnapshotStore.FileName)));
    }

    [Theory]
    [InlineData("wrong-token")]
    [InlineData("")]
    public async Task A_wrong_or_missing_token_gets_401_and_changes_nothing(string token)
    {
        using var response = await PutAsync(Snapshot(9), token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(File.Exists(Path.Combine(_root, "state", EngineSnapshotStore.FileName)));
    }

    [Fact]
    public async Task The_node_sends_a_days_DMARC_reports_when_asked_with_the_token_only()
    {
        using (var ok = await PutAsync(Snapshot(4), "node-token-123")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        foreach (var (token, status) in new[] { ("node-token-123", HttpStatusCode.OK), ("wrong-token", HttpStatusCode.Unauthorized) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, EngineControlRoutes.DmarcReports) { Content = JsonContent.Create(new EngineControlRoutes.DmarcReportsRequest(new DateOnly(2026, 12, 1)), options: JsonSerializerOptions.Web) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _http.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
            if (status != HttpStatusCode.OK) continue;
            // No mail arrived that day: a run with nothing in it, in the contract's form.
            var run = await response.Content.ReadFromJsonAsync<DmarcReportRun>(JsonSerializerOptions.Web);
            Assert.Equal(new DateOnly(2026, 12, 1), run!.Day);
            Assert.Empty(run.Reports);
        }
    }

    private async Task<HttpResponseMessage> GetMetricsAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, EngineControlRoutes.Metrics);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task The_nodes_own_metrics_need_the_token_pass_promtool_and_count_a_refused_recipient()
    {
        using (var ok = await PutAsync(Snapshot(5), "node-token-123")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var refused = await GetMetricsAsync("wrong-token")) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // A recipient the node does not know in a domain it serves: refused at RCPT and counted by reason.
        await using (var smtp = await NodeConnection.OpenAsync(_node.MxPort))
        {
            await smtp.ReadUntilAsync(l => l.StartsWith("220 ", StringComparison.Ordinal));
            await smtp.SendAsync("EHLO client.test\r\n");
            await smtp.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
            await smtp.SendAsync("MAIL FROM:<a@outside.test>\r\n");
            await smtp.ReadUntilAsync(l => l.StartsWith("250 ", StringComparison.Ordinal));
            await smtp.SendAsync("RCPT TO:<nobody@node.test>\r\n");
            Assert.StartsWith("550 ", (await smtp.ReadUntilAsync(l => l.Length > 3 && l[3] == ' ')).Last());
            await smtp.SendAsync("QUIT\r\n");
        }

        using var response = await GetMetricsAsync("node-token-123");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var lint = await AdminConsole.Testing.ExternalProgram.RunWithInputAsync(text, "promtool", "check", "metrics");
        Assert.True(lint.ExitCode == 0, $"promtool check metrics: {lint.Output}{lint.Errors}");
        Assert.Contains("# TYPE mailengine_messages_rejected_total counter\n", text, StringComparison.Ordinal);
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"\nmailengine_messages_rejected_total\{reason=""[a-z_-]+""\} 1( \d+)?\n"), text);
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"\nmailengine_queue_messages(\{\})? 0( \d+)?\n"), text);

        // ASP.NET Core's request durations, the snapshot PUT among them: a request is measured once its
        // response is complete, which may be just after the client has read it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!text.Contains("http_route=\"/control/snapshot\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            using var again = await GetMetricsAsync("node-token-123");
            text = await again.Content.ReadAsStringAsync();
        }

        Assert.Contains("\nhttp_server_request_duration_seconds_count{", text, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/control/snapshot\"", text, StringComparison.Ordinal);
    }
}
