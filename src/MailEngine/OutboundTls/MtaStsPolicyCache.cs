using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MailEngine.Dns;
using MailEngine.Storage;
using Microsoft.Extensions.Logging;

namespace MailEngine.OutboundTls;

/// <summary>What is known of a domain's MTA-STS: its policy (null: none applies) and, when finding it failed, why (for TLS-RPT).</summary>
public sealed record MtaStsLookup(MtaStsPolicy? Policy, string? Id, TlsFailure? Failure = null);

/// <summary>
/// Finds and caches recipient domains' MTA-STS policies (RFC 8461 §3, §5.1): the _mta-sts TXT record
/// says which policy id is current; the policy is fetched over HTTPS (a valid certificate for
/// mta-sts.&lt;domain&gt;, no redirects, text/plain, 64 KB at most, a bounded time) only when the id
/// changed or the cached copy outlived its max_age. A cached policy still in date is kept when the
/// record or the fetch fails, so an attacker who blocks them cannot turn enforcement off (§10.2).
/// Kept in the state folder ("mta-sts"), so a restart keeps the protection.
/// </summary>
public sealed class MtaStsPolicyCache
{
    /// <summary>§3.3: senders may stop reading a policy past 64 KB.</summary>
    public const int MaxPolicyBytes = 64 * 1024;

    private readonly IDnsLookup _dns;
    private readonly OutboundTlsOptions _options;
    private readonly CertificateTrust _trust;
    private readonly string _folder;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Cached> _cache = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _fetching = new(StringComparer.OrdinalIgnoreCase);

    public MtaStsPolicyCache(IDnsLookup dns, OutboundTlsOptions options, CertificateTrust trust, string stateDirectory, TimeProvider clock, ILogger logger)
    {
        _dns = dns;
        _options = options;
        _trust = trust;
        _folder = Path.Combine(stateDirectory, "mta-sts");
        _clock = clock;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // §3.3: redirects are not followed
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = options.PolicyFetchTimeout,
            ConnectCallback = ConnectAsync,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidatePolicyHost },
        })
        {
            Timeout = options.PolicyFetchTimeout,
            MaxResponseContentBufferSize = MaxPolicyBytes,
        };
    }

    public async Task<MtaStsLookup> GetAsync(string domain, CancellationToken ct)
    {
        domain = domain.ToLowerInvariant().TrimEnd('.');
        var now = _clock.GetUtcNow();
        var cached = Load(domain);
        var valid = cached is not null && cached.Expires > now ? cached : null;

        var txt = await _dns.QueryAsync($"_mta-sts.{domain}", DnsRecordKind.Txt, ct);
        // §3.1: only records that begin "v=STSv1;" count, and there must be exactly one.
        var records = txt.Values.Where(v => v.StartsWith("v=STSv1", StringComparison.Ordinal)).ToList();
        var id = records.Count == 1 ? Id(records[0]) : null;
        if (id is null)
        {
            if (valid is not null) return new MtaStsLookup(valid.Policy, valid.Id);
            return txt.Status == DnsLookupStatus.Failed
                ? new MtaStsLookup(null, null, new TlsFailure(TlsFailure.StsPolicyFetchError, $"the lookup of _mta-sts.{domain} failed: {txt.Error}"))
                : new MtaStsLookup(null, null);
        }

        if (valid is not null && valid.Id == id) return new MtaStsLookup(valid.Policy, id);

        // One fetch per domain at a time: copies delivered at once wait for the first one's answer.
        var gate = _fetching.GetOrAdd(domain, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (Load(domain) is { } fresh && fresh.Id == id && fresh.Expires > _clock.GetUtcNow()) return new MtaStsLookup(fresh.Policy, id);
            return await FetchAndKeepAsync(domain, id, valid, now, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<MtaStsLookup> FetchAndKeepAsync(string domain, string id, Cached? valid, DateTimeOffset now, CancellationToken ct)
    {
        var (policy, failure) = await FetchAsync(domain, ct);
        if (policy is null)
        {
            _logger.LogWarning("MTA-STS policy of {Domain} (id {Id}) not fetched: {Reason}{Kept}", domain, id, failure!.Reason, valid is null ? "" : "; the cached one is kept");
            return valid is not null ? new MtaStsLookup(valid.Policy, valid.Id, failure) : new MtaStsLookup(null, id, failure);
        }

        var entry = new Cached(id, policy, now + policy.MaxAge);
        Save(domain, entry, now);
        _logger.LogInformation("MTA-STS policy of {Domain} (id {Id}): mode {Mode}, mx {Mx}, max_age {MaxAge}", domain, id, policy.Mode, string.Join(" ", policy.Mx), policy.MaxAge);
        return new MtaStsLookup(policy, id);
    }

    private async Task<(MtaStsPolicy?, TlsFailure?)> FetchAsync(string domain, CancellationToken ct)
    {
        var port = _options.PolicyPort == 443 ? "" : $":{_options.PolicyPort}";
        var url = $"https://mta-sts.{domain}{port}/.well-known/mta-sts.txt";
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode != HttpStatusCode.OK)
                return (null, new TlsFailure(TlsFailure.StsPolicyFetchError, $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}"));
            if (response.Content.Headers.ContentType is not MediaTypeHeaderValue { MediaType: "text/plain" })
                return (null, new TlsFailure(TlsFailure.StsPolicyInvalid, $"{url} is {response.Content.Headers.ContentType?.MediaType ?? "untyped"}, not text/plain (RFC 8461 §3.3)"));
            if (response.Content.Headers.ContentLength > MaxPolicyBytes)
                return (null, new TlsFailure(TlsFailure.StsPolicyInvalid, $"{url} is {response.Content.Headers.ContentLength} bytes, over {MaxPolicyBytes}"));
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[MaxPolicyBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), ct)) > 0) length += read;
            if (length > MaxPolicyBytes) return (null, new TlsFailure(TlsFailure.StsPolicyInvalid, $"{url} is over {MaxPolicyBytes} bytes"));
            return (MtaStsPolicy.Parse(Encoding.UTF8.GetString(buffer, 0, length)), null);
        }
        catch (FormatException e)
        {
            return (null, new TlsFailure(TlsFailure.StsPolicyInvalid, $"{url}: {e.Message}"));
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            return (null, new TlsFailure(TlsFailure.StsWebPkiInvalid, $"{url}: {e.InnerException.Message}"));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (null, new TlsFailure(TlsFailure.StsPolicyFetchError, $"{url}: {(e is TaskCanceledException ? $"no answer within {_options.PolicyFetchTimeout.TotalSeconds:0} s" : e.Message)}"));
        }
    }

    /// <summary>The policy host is found through the engine's DNS, like every other name it asks for.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = await ExchangerAddresses.ResolveAsync(_dns, context.DnsEndPoint.Host, ct);
        if (addresses.Count == 0) throw new HttpRequestException($"{context.DnsEndPoint.Host} has no address");
        var socket = new Socket(addresses[0].AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(addresses[0], context.DnsEndPoint.Port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private bool ValidatePolicyHost(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is not X509Certificate2 leaf || sender is not SslStream { TargetHostName: { } host }) return false;
        var failure = _trust.Validate(leaf, CertificateTrust.Presented(leaf, chain), errors, host, _clock.GetUtcNow());
        if (failure is not null) _logger.LogInformation("MTA-STS policy host {Host}: {Reason}", host, failure.Reason);
        return failure is null;
    }

    private static string? Id(string record)
    {
        foreach (var part in record.Split(';'))
        {
            var kv = part.Trim();
            if (kv.StartsWith("id=", StringComparison.Ordinal) && kv.Length is > 3 and <= 35 && kv[3..].All(char.IsAsciiLetterOrDigit)) return kv[3..];
        }

        return null;
    }

    private Cached? Load(string domain)
    {
        if (_cache.TryGetValue(domain, out var hit)) return hit;
        if (!SafeFileName(domain)) return null;
        var path = Path.Combine(_folder, domain + ".json");
        if (!File.Exists(path)) return null;
        try
        {
            var saved = JsonSerializer.Deserialize<Saved>(File.ReadAllBytes(path));
            if (saved is null) return null;
            return _cache[domain] = new Cached(saved.Id, MtaStsPolicy.Parse(saved.Text), saved.Expires);
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException)
        {
            _logger.LogWarning("The cached MTA-STS policy of {Domain} is unreadable and is fetched again: {Error}", domain, e.Message);
            return null;
        }
    }

    private void Save(string domain, Cached entry, DateTimeOffset now)
    {
        _cache[domain] = entry;
        if (!SafeFileName(domain)) return;
        Directory.CreateDirectory(_folder);
        DurableFile.WriteAllBytes(Path.Combine(_folder, domain + ".json"), JsonSerializer.SerializeToUtf8Bytes(new Saved(entry.Id, entry.Policy.Text, now, entry.Expires)));
    }

    private static bool SafeFileName(string domain) => domain.Length is > 0 and <= 253 && domain[0] != '.' && domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-');

    private sealed record Cached(string Id, MtaStsPolicy Policy, DateTimeOffset Expires);

    private sealed record Saved(string Id, string Text, DateTimeOffset Fetched, DateTimeOffset Expires);
}
