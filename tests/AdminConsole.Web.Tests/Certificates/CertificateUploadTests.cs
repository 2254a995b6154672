using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using AdminConsole.Testing;
using MailEngine.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Certificates;

/// <summary>
/// Uploads: a PEM chain and key, or PKCS#12 with its password, checked before saving (the key matches,
/// the chain builds, the names are covered, in date); each problem beside its field, nothing stored;
/// a good one reaches the engine.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertificateUploadTests(AcmeConsoleHost host) : IClassFixture<AcmeConsoleHost>
{
    private static StringContent Upload(object body) => Json(JsonSerializer.Serialize(body, new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    [Fact]
    public async Task A_PEM_chain_with_its_key_is_stored_sealed_and_served_and_a_PKCS12_file_with_its_password_too()
    {
        using var client = await host.ApiClientAsync();
        var (certificate, key) = host.Uploads.Issue(["smtp.upload.test", "*.upload.test"]);
        using (certificate)
        using (key)
        {
            using var created = await client.PostAsync("/api/v1/certificates", Upload(new
            {
                certificatePem = certificate.ExportCertificatePem() + "\n" + host.Uploads.IntermediatePem,
                privateKeyPem = key.ExportECPrivateKeyPem(), // SEC 1 ("EC PRIVATE KEY"), as openssl writes it
            }));
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var view = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("valid", view.GetProperty("status").GetString());
            Assert.Equal("upload", view.GetProperty("source").GetString());
            Assert.Equal(["smtp.upload.test", "*.upload.test"], view.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
            Assert.Equal("Upload Test Intermediate", view.GetProperty("issuer").GetString());
            Assert.Equal("uploaded", view.GetProperty("events")[0].GetProperty("step").GetString());
            Assert.DoesNotContain("PRIVATE", await created.Content.ReadAsStringAsync());

            await host.WaitForEngineAsync(s => s.Certificate("imap.upload.test")?.Leaf.SerialNumber == certificate.SerialNumber, "The engine did not get the uploaded certificate");
            var served = host.Factory.Services.GetRequiredService<MailEngineHost>().Snapshots.Current.Certificate("smtp.upload.test")!;
            Assert.Single(served.Intermediates);
        }

        // PKCS#12 with a password, for names given (covered by the certificate).
        var (other, otherKey) = host.Uploads.Issue(["pfx.parcel.test"]);
        using (other)
        using (otherKey)
        {
            using var withKey = other.CopyWithPrivateKey(otherKey);
            var pfx = new X509Certificate2Collection { withKey, X509CertificateLoader.LoadCertificate(host.Uploads.Intermediate.RawData) }.Export(X509ContentType.Pkcs12, "pfx password")!;
            using var created = await client.PostAsync("/api/v1/certificates", Upload(new { names = new[] { "PFX.parcel.test" }, pkcs12Base64 = Convert.ToBase64String(pfx), password = "pfx password" }));
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var view = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["pfx.parcel.test"], view.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
            var id = view.GetProperty("id").GetString();

            // Deleted: gone from the list and from the engine.
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/certificates/{id}")).StatusCode);
            await host.WaitForEngineAsync(s => s.Certificate("pfx.parcel.test") is null, "The deleted certificate stayed in the engine");
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/certificates/{id}")).StatusCode);
        }
    }

    [Fact]
    public async Task Uploads_that_would_not_serve_are_refused_beside_their_field_and_nothing_is_stored()
    {
        using var client = await host.ApiClientAsync();
        var count = (await client.GetFromJsonAsync<JsonArray>("/api/v1/certificates"))!.Count;
        async Task RefusedAsync(object body, string field, string words)
        {
            var problem = await ProblemAsync(await client.PostAsync("/api/v1/certificates", Upload(body)), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"expected {field}: {problem}");
            Assert.Contains(words, messages[0].GetString(), StringComparison.OrdinalIgnoreCase);
        }

        var (good, goodKey) = host.Uploads.Issue(["good.upload.test"]);
        var (_, otherKey) = host.Uploads.Issue(["other.upload.test"]);
        var chain = good.ExportCertificatePem() + "\n" + host.Uploads.IntermediatePem;

        await RefusedAsync(new { certificatePem = chain, privateKeyPem = otherKey.ExportPkcs8PrivateKeyPem() }, "privateKeyPem", "does not belong");
        await RefusedAsync(new { certificatePem = chain }, "privateKeyPem", "private key");
        await RefusedAsync(new { certificatePem = chain, privateKeyPem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" }, "privateKeyPem", "not a PEM private key");
        await RefusedAsync(new { certificatePem = chain, privateKeyPem = goodKey.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)) }, "privateKeyPem", "encrypted");
        await RefusedAsync(new { certificatePem = "hello", privateKeyPem = goodKey.ExportPkcs8PrivateKeyPem() }, "certificatePem", "not a PEM certificate");
        // Without the intermediate the chain does not build.
        await RefusedAsync(new { certificatePem = good.ExportCertificatePem(), privateKeyPem = goodKey.ExportPkcs8PrivateKeyPem() }, "certificatePem", "intermediate");
        // Names it does not cover.
        await RefusedAsync(new { names = new[] { "mail.elsewhere.test" }, certificatePem = chain, privateKeyPem = goodKey.ExportPkcs8PrivateKeyPem() }, "names", "not for mail.elsewhere.test");

        var (expired, expiredKey) = host.Uploads.Issue(["old.upload.test"], DateTimeOffset.UtcNow.AddDays(-100), DateTimeOffset.UtcNow.AddDays(-10));
        await RefusedAsync(new { certificatePem = expired.ExportCertificatePem() + "\n" + host.Uploads.IntermediatePem, privateKeyPem = expiredKey.ExportPkcs8PrivateKeyPem() }, "certificatePem", "expired");

        using var selfKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var selfRequest = new CertificateRequest("CN=self.upload.test", selfKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("self.upload.test");
        selfRequest.CertificateExtensions.Add(san.Build());
        using var self = selfRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await RefusedAsync(new { certificatePem = self.ExportCertificatePem(), privateKeyPem = selfKey.ExportPkcs8PrivateKeyPem() }, "certificatePem", "self-signed");

        using var withKey = good.CopyWithPrivateKey(goodKey);
        var pfx = new X509Certificate2Collection { withKey, X509CertificateLoader.LoadCertificate(host.Uploads.Intermediate.RawData) }.Export(X509ContentType.Pkcs12, "right")!;
        await RefusedAsync(new { pkcs12Base64 = Convert.ToBase64String(pfx), password = "wrong" }, "password", "password is wrong");
        await RefusedAsync(new { pkcs12Base64 = Convert.ToBase64String(pfx) }, "pkcs12Base64", "password");
        await RefusedAsync(new { pkcs12Base64 = "%%% not base64", password = "right" }, "pkcs12Base64", "not base64");
        await RefusedAsync(new { pkcs12Base64 = Convert.ToBase64String(pfx), password = "right", certificatePem = chain }, "pkcs12Base64", "not both");
        var publicOnly = new X509Certificate2Collection { X509CertificateLoader.LoadCertificate(good.RawData) }.Export(X509ContentType.Pkcs12, "right")!;
        await RefusedAsync(new { pkcs12Base64 = Convert.ToBase64String(publicOnly), password = "right" }, "pkcs12Base64", "no private key");

        Assert.Equal(count, (await client.GetFromJsonAsync<JsonArray>("/api/v1/certificates"))!.Count);
        good.Dispose();
        goodKey.Dispose();
        otherKey.Dispose();
        expired.Dispose();
        expiredKey.Dispose();
    }
}
