using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MailEngine.Contracts;

namespace AdminConsole.Core.Engine;

/// <summary>
/// The engine contract over HTTP: a mailengine-node by URL (<see cref="EngineControlRoutes"/>), with the
/// bearer token from a credential file, over TLS when the URL is https. Every failure (the node down,
/// a wrong token, a refused snapshot) is an <see cref="EngineNodeException"/> with the reason to show.
/// </summary>
public sealed class HttpEngineNode : IEngineNode, IDisposable
{
    private readonly HttpClient _http;
    private readonly string _token;

    public HttpEngineNode(EngineNodeOptions options, string token)
    {
        Name = options.Name;
        _token = token;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (options.TrustedCertificateFile is { } file)
        {
            // A node with its own certificate: trust exactly that one (and still check the host name).
            var trusted = X509CertificateLoader.LoadCertificateFromFile(file);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is not null && (errors == System.Net.Security.SslPolicyErrors.None
                    || (errors == System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors && certificate.GetCertHash().AsSpan().SequenceEqual(trusted.GetCertHash())));
        }

        _http = new HttpClient(handler) { BaseAddress = new Uri(options.Url!), Timeout = options.Timeout };
    }

    public string Name { get; }

    public async Task<EngineStatus> ApplyAsync(EngineSnapshot snapshot, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Put, EngineControlRoutes.Snapshot);
        request.Content = JsonContent.Create(snapshot, SnapshotJson.Default.EngineSnapshot);
        using var response = await SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            // Refused (an older version than it runs): the problem carries the node's status.
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            if (problem.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object)
                return status.Deserialize<EngineStatus>(JsonSerializerOptions.Web)!;
        }

        return await ReadAsync<EngineStatus>(response, ct);
    }

    public Task<NodeStatus> StatusAsync(CancellationToken ct) => GetAsync<NodeStatus>(EngineControlRoutes.Status, ct);

    public Task<NodeTelemetry> TelemetryAsync(CancellationToken ct) => GetAsync<NodeTelemetry>(EngineControlRoutes.Telemetry, ct);

    public async Task<IReadOnlyDictionary<string, long>> UsageAsync(IReadOnlyCollection<string> addresses, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, EngineControlRoutes.Usage);
        request.Content = JsonContent.Create(new EngineControlRoutes.UsageRequest([.. addresses]), options: JsonSerializerOptions.Web);
        using var response = await SendAsync(request, ct);
        return await ReadAsync<Dictionary<string, long>>(response, ct);
    }

    public Task<ScannerReport> ScannerAsync(CancellationToken ct) => GetAsync<ScannerReport>(EngineControlRoutes.Scanner, ct);

    public async Task<ScannerSelfTest> SelfTestAsync(CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, EngineControlRoutes.ScannerSelfTest);
        using var response = await SendAsync(request, ct);
        return await ReadAsync<ScannerSelfTest>(response, ct);
    }

    public async Task<ScannerReport> ForceTierAsync(ScannerTier? tier, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Put, EngineControlRoutes.ScannerTier);
        request.Content = JsonContent.Create(new EngineControlRoutes.TierRequest(tier is { } t ? ScannerTierName.Of(t) : null), options: JsonSerializerOptions.Web);
        using var response = await SendAsync(request, ct);
        return await ReadAsync<ScannerReport>(response, ct);
    }

    public async Task<DmarcReportRun> SendDmarcReportsAsync(DateOnly day, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, EngineControlRoutes.DmarcReports);
        request.Content = JsonContent.Create(new EngineControlRoutes.DmarcReportsRequest(day), options: JsonSerializerOptions.Web);
        using var response = await SendAsync(request, ct);
        return await ReadAsync<DmarcReportRun>(response, ct);
    }

    public async Task<IReadOnlyList<ReceivedReport>> ReceivedReportsAsync(DateTimeOffset since, CancellationToken ct) =>
        await GetAsync<List<ReceivedReport>>($"{EngineControlRoutes.ReceivedReports}?since={Uri.EscapeDataString(since.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}", ct);

    public async Task<IReadOnlyList<string>> SendMailAsync(OutgoingMail mail, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, EngineControlRoutes.SendMail);
        request.Content = JsonContent.Create(mail, options: JsonSerializerOptions.Web);
        using var response = await SendAsync(request, ct);
        return await ReadAsync<List<string>>(response, ct);
    }

    public async Task<IReadOnlyList<QueuedMessage>> QueueAsync(CancellationToken ct) => await GetAsync<List<QueuedMessage>>(EngineControlRoutes.Queue, ct);

    public async Task<QueueActionResult> QueueActionAsync(string queueId, QueueAction action, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, EngineControlRoutes.QueueAction(queueId, action));
        using var response = await SendAsync(request, ct);
        return await ReadAsync<QueueActionResult>(response, ct);
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return request;
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, path);
        using var response = await SendAsync(request, ct);
        return await ReadAsync<T>(response, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            return await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new EngineNodeException($"{Name} cannot be reached at {_http.BaseAddress}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new EngineNodeException($"{Name} did not answer within {_http.Timeout.TotalSeconds:0} s", e);
        }
    }

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw new EngineNodeException($"{Name} refused the control token (check the engine-control-token credential on both sides)");
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(ct);
            throw new EngineNodeException($"{Name} answered {(int)response.StatusCode}: {(detail.Length > 300 ? detail[..300] : detail)}");
        }

        try
        {
            return await response.Content.ReadFromJsonAsync<T>(JsonSerializerOptions.Web, ct)
                ?? throw new EngineNodeException($"{Name} answered with an empty body");
        }
        catch (JsonException e)
        {
            throw new EngineNodeException($"{Name} answered with JSON this console does not understand: {e.Message}", e);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A node could not be reached or refused a request; the message is what the Engine page shows.</summary>
public sealed class EngineNodeException(string message, Exception? inner = null) : Exception(message, inner);
