using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using AdminConsole.Core.Certificates.Acme;

namespace AdminConsole.Core.Tests.Certificates;

/// <summary>The ACME client's wire formats against the RFCs' own examples and bad input.</summary>
public sealed class AcmeWireTests
{
    /// <summary>RFC 9773 §4.1: the example certificate's AKI keyIdentifier and serial give "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".</summary>
    [Fact]
    public void The_renewal_information_id_is_the_one_of_the_RFC_example()
    {
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyId = Convert.FromHexString("69885B6B87464041E1B37B847BA0AE2CDE01C8D4");
        var request = new CertificateRequest("CN=mail.example.com", leafKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(keyId));
        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
        using var certificate = request.Create(new X500DistinguishedName("CN=Example CA"), generator, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [0x00, 0x87, 0x65, 0x43, 0x21]);

        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", AcmeClient.CertificateId(certificate));

        // Without an Authority Key Identifier there is no id (and no ARI request).
        using var bare = new CertificateRequest("CN=x", leafKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Assert.Null(AcmeClient.CertificateId(bare));
    }

    /// <summary>RFC 8555 §6.2 / RFC 7515: a flattened JWS whose ES256 signature verifies over protected "." payload; POST-as-GET has an empty payload (§6.3).</summary>
    [Fact]
    public void Requests_are_flattened_JWS_signed_with_ES256_over_the_protected_header_and_payload()
    {
        using var key = AcmeAccountKey.Create();
        var body = JsonNode.Parse(AcmeJws.Sign(key, new JsonObject { ["nonce"] = "n0nce", ["url"] = "https://ca.test/new-order", ["kid"] = "https://ca.test/acct/1" },
            new JsonObject { ["identifiers"] = new JsonArray(new JsonObject { ["type"] = "dns", ["value"] = "mail.example.com" }) }))!;
        var protectedPart = body["protected"]!.GetValue<string>();
        var payloadPart = body["payload"]!.GetValue<string>();
        var header = JsonNode.Parse(Base64Url.DecodeFromChars(protectedPart))!;
        Assert.Equal("ES256", header["alg"]!.GetValue<string>());
        Assert.Equal("n0nce", header["nonce"]!.GetValue<string>());
        Assert.Equal("mail.example.com", JsonNode.Parse(Base64Url.DecodeFromChars(payloadPart))!["identifiers"]![0]!["value"]!.GetValue<string>());

        using var verifier = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(key.Jwk()["x"]!.GetValue<string>()), Y = Base64Url.DecodeFromChars(key.Jwk()["y"]!.GetValue<string>()) },
        });
        var signature = Base64Url.DecodeFromChars(body["signature"]!.GetValue<string>());
        Assert.Equal(64, signature.Length);
        Assert.True(verifier.VerifyData(Encoding.ASCII.GetBytes($"{protectedPart}.{payloadPart}"), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.False(verifier.VerifyData(Encoding.ASCII.GetBytes($"{protectedPart}.x{payloadPart}"), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        var get = JsonNode.Parse(AcmeJws.Sign(key, new JsonObject { ["nonce"] = "n", ["url"] = "https://ca.test/order/1" }, null))!;
        Assert.Equal("", get["payload"]!.GetValue<string>());
    }

    /// <summary>RFC 7638 §3: the thumbprint hashes the required members crv, kty, x, y in that order, without white space.</summary>
    [Fact]
    public void The_key_thumbprint_and_key_authorization_follow_RFC_7638_and_RFC_8555()
    {
        using var key = AcmeAccountKey.Create();
        var jwk = key.Jwk();
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{jwk["x"]}\",\"y\":\"{jwk["y"]}\"}}";
        var thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        Assert.Equal(thumbprint, key.Thumbprint());
        Assert.Equal(43, thumbprint.Length);

        var client = new AcmeClient(new HttpClient(), new Uri("https://ca.test/dir"), key, TimeProvider.System);
        Assert.Equal("tok." + thumbprint, client.KeyAuthorization("tok"));
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes("tok." + thumbprint))), client.Dns01Value("tok"));
    }

    [Fact]
    public void An_account_key_survives_PKCS8_and_other_keys_are_refused()
    {
        using var key = AcmeAccountKey.Create();
        using var again = AcmeAccountKey.FromPkcs8(key.ExportPkcs8());
        Assert.Equal(key.Thumbprint(), again.Thumbprint());

        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<CryptographicException>(() => AcmeAccountKey.FromPkcs8(p384.ExportPkcs8PrivateKey()));
        using var rsa = RSA.Create(2048);
        Assert.ThrowsAny<CryptographicException>(() => AcmeAccountKey.FromPkcs8(rsa.ExportPkcs8PrivateKey()));
        Assert.ThrowsAny<CryptographicException>(() => AcmeAccountKey.FromPkcs8("not a key"u8));
    }

    /// <summary>RFC 8555 §6.7.1's example of subproblems, and bodies that are no problem document.</summary>
    [Fact]
    public void Problem_documents_are_read_and_said_in_words()
    {
        var body = """
            {
                "type": "urn:ietf:params:acme:error:malformed",
                "detail": "Some of the identifiers requested were rejected",
                "subproblems": [
                    {
                        "type": "urn:ietf:params:acme:error:malformed",
                        "detail": "Invalid underscore in DNS name \"_example.org\"",
                        "identifier": { "type": "dns", "value": "_example.org" }
                    },
                    {
                        "type": "urn:ietf:params:acme:error:rejectedIdentifier",
                        "detail": "This CA will not issue for \"example.net\"",
                        "identifier": { "type": "dns", "value": "example.net" }
                    }
                ]
            }
            """u8.ToArray();
        var problem = AcmeProblem.Parse(body, 400);
        Assert.Equal("malformed", problem.Name);
        Assert.Equal(400, problem.Status);
        Assert.Equal(2, problem.Subproblems.Count);
        Assert.Equal("the CA could not read the request: Some of the identifiers requested were rejected; _example.org: the CA could not read the request: Invalid underscore in DNS name \"_example.org\"; example.net: the CA will not issue for this name: This CA will not issue for \"example.net\"",
            problem.Describe());

        var connection = AcmeProblem.Parse("""{"type":"urn:ietf:params:acme:error:connection","detail":"127.0.0.1: Fetching http://mail.example.com/.well-known/acme-challenge/abc: Connection refused","status":400}"""u8.ToArray(), 400);
        Assert.Equal("the CA could not reach the server: 127.0.0.1: Fetching http://mail.example.com/.well-known/acme-challenge/abc: Connection refused", connection.Describe());

        var html = AcmeProblem.Parse("<html>Bad gateway</html>"u8.ToArray(), 502);
        Assert.Equal("about:blank", html.Type);
        Assert.Equal("HTTP 502: <html>Bad gateway</html>", html.Describe());
        Assert.Equal("HTTP 503", AcmeProblem.Parse([], 503).Describe());
        Assert.Equal("the CA answered urn:example:other: odd", AcmeProblem.Parse("""{"type":"urn:example:other","detail":"odd"}"""u8.ToArray(), 400).Describe());
        Assert.Equal("HTTP 400: [1]", AcmeProblem.Parse("[1]"u8.ToArray(), 400).Describe());
    }
}
