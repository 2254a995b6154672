using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AdminConsole.Core.Certificates.Acme;

/// <summary>
/// An ACME account key: ECDSA P-256, signing JWS with ES256 (RFC 7518 §3.4: r‖s, 64 bytes, which is
/// .NET's IEEE P1363 format). Stored as PKCS#8, sealed by the caller; never logged.
/// </summary>
public sealed class AcmeAccountKey : IDisposable
{
    private readonly ECDsa _key;

    private AcmeAccountKey(ECDsa key) => _key = key;

    public static AcmeAccountKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public static AcmeAccountKey FromPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new CryptographicException("an ACME account key must be ECDSA P-256");
        }

        return new AcmeAccountKey(key);
    }

    public byte[] ExportPkcs8() => _key.ExportPkcs8PrivateKey();

    public string Algorithm => "ES256";

    /// <summary>The public key as a JWK (RFC 7517), its members in the order RFC 7638 §3.2 hashes them.</summary>
    public JsonObject Jwk()
    {
        var p = _key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["crv"] = "P-256",
            ["kty"] = "EC",
            ["x"] = Base64Url.EncodeToString(p.Q.X),
            ["y"] = Base64Url.EncodeToString(p.Q.Y),
        };
    }

    /// <summary>The JWK thumbprint (RFC 7638): SHA-256 of the required members, lexicographic, no white space.</summary>
    public string Thumbprint() => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk().ToJsonString())));

    public byte[] Sign(byte[] signingInput) => _key.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _key.Dispose();
}
