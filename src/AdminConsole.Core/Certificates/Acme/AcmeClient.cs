using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AdminConsole.Core.Certificates.Acme;

/// <summary>
/// Our ACME client (RFC 8555), one per account key: the directory, nonces (a refused nonce is retried
/// with the fresh one the refusal carries, §6.5), JWS-signed requests with the key's JWK until the
/// account exists and its URL ("kid") after, POST-as-GET for reading (§6.3), and polling that follows
/// Retry-After. Renewal information (RFC 9773) when the directory offers it.
/// </summary>
public sealed class AcmeClient(HttpClient http, Uri directoryUrl, AcmeAccountKey key, TimeProvider clock)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How often one request is sent again after badNonce before the problem is the caller's.</summary>
    public const int NonceAttempts = 10;

    private const string UserAgent = "AdminConsole-ACME/1.0";
    private readonly SemaphoreSlim _nonceLock = new(1, 1);
    private AcmeDirectory? _directory;
    private string? _nonce;

    /// <summary>The account URL ("kid"): known once the account was created or found.</summary>
    public Uri? AccountUrl { get; set; }

    public AcmeAccountKey Key { get; private set; } = key;

    /// <summary>The key authorization of a challenge token (§8.1): token "." base64url(JWK thumbprint).</summary>
    public string KeyAuthorization(string token) => $"{token}.{Key.Thumbprint()}";

    /// <summary>The TXT value of a dns-01 challenge (§8.4): base64url(SHA-256(key authorization)).</summary>
    public string Dns01Value(string token) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(KeyAuthorization(token))));

    public async Task<AcmeDirectory> DirectoryAsync(CancellationToken ct)
    {
        if (_directory is not null) return _directory;
        using var request = new HttpRequestMessage(HttpMethod.Get, directoryUrl);
        request.Headers.UserAgent.ParseAdd(UserAgent);
        using var response = await SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode) throw new AcmeException(AcmeProblem.Parse(body, (int)response.StatusCode));
        try
        {
            return _directory = JsonSerializer.Deserialize<AcmeDirectory>(body, Json) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new AcmeException(new AcmeProblem { Detail = $"{directoryUrl} is not an ACME directory ({e.Message})" });
        }
    }

    /// <summary>
    /// Creates the account (§7.3), or finds the one this key already has (the CA answers 200 with its
    /// URL). <paramref name="binding"/> is the CA's key id and MAC key where it needs External Account Binding (§7.3.4).
    /// </summary>
    public async Task<AcmeAccount> CreateAccountAsync(IReadOnlyList<string> contact, bool termsOfServiceAgreed, (string KeyId, byte[] MacKey)? binding, CancellationToken ct)
    {
        var directory = await DirectoryAsync(ct);
        var payload = new JsonObject
        {
            ["termsOfServiceAgreed"] = termsOfServiceAgreed,
            ["contact"] = new JsonArray([.. contact.Select(c => JsonValue.Create(c.Contains(':', StringComparison.Ordinal) ? c : "mailto:" + c))]),
        };
        if (binding is { } eab) payload["externalAccountBinding"] = AcmeJws.ExternalAccountBinding(Key, eab.KeyId, eab.MacKey, directory.NewAccount);
        var response = await PostAsync(directory.NewAccount, payload, ct, useJwk: true);
        AccountUrl = response.Location ?? throw new AcmeException(new AcmeProblem { Detail = "the CA created the account without giving its URL" });
        return response.Read<AcmeAccount>() with { Location = AccountUrl };
    }

    /// <summary>The account of this key, without creating one (§7.3.1 onlyReturnExisting); accountDoesNotExist otherwise.</summary>
    public async Task<AcmeAccount> FindAccountAsync(CancellationToken ct)
    {
        var directory = await DirectoryAsync(ct);
        var response = await PostAsync(directory.NewAccount, new JsonObject { ["onlyReturnExisting"] = true }, ct, useJwk: true);
        AccountUrl = response.Location ?? throw new AcmeException(new AcmeProblem { Detail = "the CA found the account without giving its URL" });
        return response.Read<AcmeAccount>() with { Location = AccountUrl };
    }

    /// <summary>
    /// Moves the account to <paramref name="newKey"/> (§7.3.5): the inner JWS, signed by the new key,
    /// names the account and the old key; the outer one is signed by the old key. From then on this client signs with the new key.
    /// </summary>
    public async Task RolloverKeyAsync(AcmeAccountKey newKey, CancellationToken ct)
    {
        var directory = await DirectoryAsync(ct);
        var url = directory.KeyChange ?? throw new AcmeException(new AcmeProblem { Detail = "the CA does not offer key rollover" });
        var account = AccountUrl ?? throw new InvalidOperationException("no account yet");
        var inner = AcmeJws.Sign(newKey, new JsonObject { ["jwk"] = newKey.Jwk(), ["url"] = url.ToString() },
            new JsonObject { ["account"] = account.ToString(), ["oldKey"] = Key.Jwk() });
        await PostAsync(url, JsonNode.Parse(inner), ct);
        Key = newKey;
    }

    /// <summary>A new order for these names (§7.4); <paramref name="replaces"/> is the ARI certificate id of the certificate it renews (RFC 9773 §5).</summary>
    public async Task<AcmeOrder> NewOrderAsync(IEnumerable<string> names, string? replaces, CancellationToken ct)
    {
        var directory = await DirectoryAsync(ct);
        var payload = new JsonObject { ["identifiers"] = new JsonArray([.. names.Select(n => new JsonObject { ["type"] = "dns", ["value"] = n })]) };
        if (replaces is not null && directory.RenewalInfo is not null) payload["replaces"] = replaces;
        var response = await PostAsync(directory.NewOrder, payload, ct);
        return response.Read<AcmeOrder>() with { Location = response.Location ?? throw new AcmeException(new AcmeProblem { Detail = "the CA made the order without giving its URL" }), RetryAfter = response.RetryAfter };
    }

    public async Task<AcmeOrder> OrderAsync(Uri url, CancellationToken ct)
    {
        var response = await PostAsync(url, null, ct);
        return response.Read<AcmeOrder>() with { Location = url, RetryAfter = response.RetryAfter };
    }

    public async Task<AcmeAuthorization> AuthorizationAsync(Uri url, CancellationToken ct)
    {
        var response = await PostAsync(url, null, ct);
        return response.Read<AcmeAuthorization>() with { Location = url, RetryAfter = response.RetryAfter };
    }

    /// <summary>Tells the CA the challenge is ready to be validated (§7.5.1: an empty JSON object).</summary>
    public async Task<AcmeChallenge> AnswerChallengeAsync(Uri url, CancellationToken ct) =>
        (await PostAsync(url, new JsonObject(), ct)).Read<AcmeChallenge>();

    /// <summary>Polls the authorization until it is no longer pending (§7.5.1), waiting as Retry-After says (1–10 s) up to <paramref name="limit"/>.</summary>
    public async Task<AcmeAuthorization> WaitForAuthorizationAsync(Uri url, TimeSpan limit, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + limit;
        while (true)
        {
            var authorization = await AuthorizationAsync(url, ct);
            if (authorization.Status != "pending") return authorization;
            if (clock.GetUtcNow() > deadline) throw new AcmeException(new AcmeProblem { Detail = $"the CA did not validate {authorization.Identifier.Value} within {limit.TotalSeconds:0} s" });
            await Task.Delay(Pause(authorization.RetryAfter), clock, ct);
        }
    }

    /// <summary>Sends the CSR (§7.4) and polls the order until it is valid or invalid.</summary>
    public async Task<AcmeOrder> FinalizeAsync(AcmeOrder order, byte[] csrDer, TimeSpan limit, CancellationToken ct)
    {
        var response = await PostAsync(order.Finalize, new JsonObject { ["csr"] = Base64Url.EncodeToString(csrDer) }, ct);
        var current = response.Read<AcmeOrder>() with { Location = order.Location, RetryAfter = response.RetryAfter };
        var deadline = clock.GetUtcNow() + limit;
        while (current.Status is "processing" or "ready" or "pending")
        {
            if (clock.GetUtcNow() > deadline) throw new AcmeException(new AcmeProblem { Detail = $"the CA did not issue within {limit.TotalSeconds:0} s (order {current.Status})" });
            await Task.Delay(Pause(current.RetryAfter), clock, ct);
            current = await OrderAsync(order.Location, ct);
        }

        if (current.Status != "valid") throw new AcmeException(current.Error ?? new AcmeProblem { Detail = $"the order is {current.Status}" });
        return current;
    }

    /// <summary>The issued chain (§7.4.2), leaf first, as PEM.</summary>
    public async Task<string> DownloadCertificateAsync(Uri url, CancellationToken ct)
    {
        var response = await PostAsync(url, null, ct, accept: "application/pem-certificate-chain");
        return Encoding.ASCII.GetString(response.Body);
    }

    /// <summary>Revokes a certificate this account holds (§7.6), with an RFC 5280 reason code.</summary>
    public async Task RevokeAsync(X509Certificate2 certificate, int? reason, CancellationToken ct)
    {
        var directory = await DirectoryAsync(ct);
        var url = directory.RevokeCert ?? throw new AcmeException(new AcmeProblem { Detail = "the CA does not offer revocation" });
        var payload = new JsonObject { ["certificate"] = Base64Url.EncodeToString(certificate.RawData) };
        if (reason is { } r) payload["reason"] = r;
        await PostAsync(url, payload, ct);
    }

    /// <summary>The CA's renewal window for a certificate (RFC 9773 §4), or null when the CA does not offer ARI.</summary>
    public async Task<AcmeRenewalInfo?> RenewalInfoAsync(X509Certificate2 certificate, CancellationToken ct)
    {
        var directory = await DirectoryAsync(ct);
        if (directory.RenewalInfo is null || CertificateId(certificate) is not { } id) return null;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(directory.RenewalInfo.ToString().TrimEnd('/') + "/" + id));
        request.Headers.UserAgent.ParseAdd(UserAgent);
        using var response = await SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode) throw new AcmeException(AcmeProblem.Parse(body, (int)response.StatusCode));
        var info = JsonSerializer.Deserialize<AcmeRenewalInfo>(body, Json) ?? throw new AcmeException(new AcmeProblem { Detail = "empty renewal information" });
        return info with { RetryAfter = RetryAfter(response) };
    }

    /// <summary>
    /// The ARI certificate identifier (RFC 9773 §4.1): base64url of the Authority Key Identifier's keyIdentifier,
    /// ".", base64url of the serial number's DER content octets; null without an AKI.
    /// </summary>
    public static string? CertificateId(X509Certificate2 certificate)
    {
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        if (aki?.KeyIdentifier is not { } keyId) return null;
        // SerialNumberBytes are the INTEGER's content octets as the certificate has them (big-endian, a leading zero kept).
        var content = certificate.SerialNumberBytes.Span;
        return $"{Base64Url.EncodeToString(keyId.Span)}.{Base64Url.EncodeToString(content)}";
    }

    private static TimeSpan Pause(TimeSpan? retryAfter) =>
        retryAfter is { } r ? TimeSpan.FromSeconds(Math.Clamp(r.TotalSeconds, 1, 10)) : TimeSpan.FromSeconds(1);

    private sealed record Response(HttpStatusCode Status, byte[] Body, Uri? Location, TimeSpan? RetryAfter)
    {
        public T Read<T>()
        {
            try
            {
                return JsonSerializer.Deserialize<T>(Body, Json) ?? throw new JsonException("empty");
            }
            catch (JsonException e)
            {
                throw new AcmeException(new AcmeProblem { Detail = $"the CA's answer was not a {typeof(T).Name[4..].ToLowerInvariant()} object ({e.Message})" });
            }
        }
    }

    private async Task<Response> PostAsync(Uri url, JsonNode? payload, CancellationToken ct, bool useJwk = false, string? accept = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var header = new JsonObject { ["nonce"] = await NonceAsync(ct), ["url"] = url.ToString() };
            if (useJwk || AccountUrl is null) header["jwk"] = Key.Jwk();
            else header["kid"] = AccountUrl.ToString();
            // The payload node is serialized afresh each attempt; a JsonNode can have one parent only, so it is not reused.
            var body = AcmeJws.Sign(Key, header, payload?.DeepClone());
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jose+json");
            request.Headers.UserAgent.ParseAdd(UserAgent);
            if (accept is not null) request.Headers.Accept.ParseAdd(accept);
            using var response = await SendAsync(request, ct);
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(url, l)) : null;
                return new Response(response.StatusCode, bytes, location, RetryAfter(response));
            }

            var problem = AcmeProblem.Parse(bytes, (int)response.StatusCode);
            if (problem.Name == "badNonce" && attempt < NonceAttempts) continue;
            throw new AcmeException(problem);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new AcmeException(new AcmeProblem { Detail = $"the CA at {request.RequestUri!.GetLeftPart(UriPartial.Authority)} could not be reached: {e.Message}" });
        }

        if (response.Headers.TryGetValues("Replay-Nonce", out var nonces) && nonces.FirstOrDefault() is { Length: > 0 } nonce) _nonce = nonce;
        return response;
    }

    private async Task<string> NonceAsync(CancellationToken ct)
    {
        await _nonceLock.WaitAsync(ct);
        try
        {
            if (Interlocked.Exchange(ref _nonce, null) is { } kept) return kept;
            var directory = await DirectoryAsync(ct);
            using var request = new HttpRequestMessage(HttpMethod.Head, directory.NewNonce);
            request.Headers.UserAgent.ParseAdd(UserAgent);
            using var response = await SendAsync(request, ct);
            return Interlocked.Exchange(ref _nonce, null) ?? throw new AcmeException(new AcmeProblem { Detail = $"the CA gave no nonce at {directory.NewNonce} (HTTP {(int)response.StatusCode})" });
        }
        finally
        {
            _nonceLock.Release();
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };
}
