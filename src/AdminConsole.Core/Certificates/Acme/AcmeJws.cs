using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AdminConsole.Core.Certificates.Acme;

/// <summary>The flattened JWS JSON serialization ACME requests travel in (RFC 8555 §6.2, RFC 7515 §7.2.2).</summary>
public static class AcmeJws
{
    /// <summary>A request body: the protected header, the payload (null for POST-as-GET, §6.3: an empty payload) and the account key's signature.</summary>
    public static string Sign(AcmeAccountKey key, JsonObject header, JsonNode? payload)
    {
        header["alg"] = key.Algorithm;
        return Serialize(header, payload, key.Sign);
    }

    /// <summary>
    /// The externalAccountBinding of a newAccount request (§7.3.4): the account's JWK as payload, signed
    /// with the CA's MAC key (HS256) under the key id the CA gave.
    /// </summary>
    public static JsonNode ExternalAccountBinding(AcmeAccountKey key, string keyId, byte[] macKey, Uri newAccountUrl)
    {
        var header = new JsonObject { ["alg"] = "HS256", ["kid"] = keyId, ["url"] = newAccountUrl.ToString() };
        return JsonNode.Parse(Serialize(header, key.Jwk(), input => HMACSHA256.HashData(macKey, input)))!;
    }

    private static string Serialize(JsonObject header, JsonNode? payload, Func<byte[], byte[]> sign)
    {
        var protectedPart = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var payloadPart = payload is null ? "" : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = sign(Encoding.ASCII.GetBytes($"{protectedPart}.{payloadPart}"));
        return new JsonObject
        {
            ["protected"] = protectedPart,
            ["payload"] = payloadPart,
            ["signature"] = Base64Url.EncodeToString(signature),
        }.ToJsonString();
    }
}
