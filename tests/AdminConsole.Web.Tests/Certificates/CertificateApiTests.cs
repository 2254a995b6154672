using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AdminConsole.Core.Certificates.Acme;
using AdminConsole.Testing;
using MailEngine.Hosting;
using MailEngine.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Certificates;

/// <summary>
/// Certificates from the API to the wire: issued by pebble over HTTP-01 answered by the console, in
/// the next snapshot, served by the engine with its chain to new SMTP and IMAP connections while a
/// session under way goes on; failures in words with a back-off; uploads checked before anything is stored.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertificateApiTests(AcmeConsoleHost host) : IClassFixture<AcmeConsoleHost>
{
    private static readonly TimeSpan IssuanceWait = TimeSpan.FromMinutes(3);

    private MailEngineHost Engine => host.Factory.Services.GetRequiredService<MailEngineHost>();

    private async Task<JsonElement> WaitForStatusAsync(HttpClient client, string id, params string[] done)
    {
        var deadline = DateTime.UtcNow + IssuanceWait;
        while (true)
        {
            var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/certificates/{id}");
            if (done.Contains(view.GetProperty("status").GetString())) return view;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Certificate {id} still {view}. {await EngineWait.DescribeAsync(host.Factory.Services)}");
            await Task.Delay(200);
        }
    }

    /// <summary>The certificate once its last step is <paramref name="step"/> (issued, then installed everywhere).</summary>
    private async Task<JsonElement> WaitForStepAsync(HttpClient client, string id, string step)
    {
        var deadline = DateTime.UtcNow + IssuanceWait;
        while (true)
        {
            var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/certificates/{id}");
            var events = view.GetProperty("events").EnumerateArray().ToList();
            if (events.Count > 0 && events[0].GetProperty("step").GetString() == step) return view;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Certificate {id} never reached {step}: {view}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// An HTTPS client to the console that keeps one connection: every TLS handshake's certificate is
    /// recorded, so a test sees whether a request went over the connection opened before.
    /// </summary>
    private sealed class ConsoleHttpsClient : IDisposable
    {
        private readonly HttpClient _client;

        public ConsoleHttpsClient(Uri address, string serverName)
        {
            var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10), PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            handler.SslOptions.TargetHost = serverName;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                lock (Handshakes) Handshakes.Add(X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData()));
                return true;
            };
            _client = new HttpClient(handler) { BaseAddress = address };
        }

        public List<X509Certificate2> Handshakes { get; } = [];

        public async Task<HttpStatusCode> GetAsync(string path)
        {
            using var response = await _client.GetAsync(path);
            return response.StatusCode;
        }

        public void Dispose()
        {
            _client.Dispose();
            foreach (var c in Handshakes) c.Dispose();
        }
    }

    private static async Task<ExternalProgram.Result> OpenSslAsync(string arguments) =>
        await ExternalProgram.RunAsync("/bin/bash", "-c", $"openssl s_client {arguments} -showcerts </dev/null");

    [Fact]
    public async Task A_certificate_issued_over_HTTP01_is_served_with_its_chain_to_new_connections_without_a_restart()
    {
        using var client = await host.ApiClientAsync();
        // A session that starts before the certificate exists (on the self-signed one) and must not be cut.
        var submission = Engine.Endpoints[ListenerKind.Submission];
        using var before = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await before.ConnectAsync("127.0.0.1", submission.Port, SecureSocketOptions.StartTls);
        // And a browser's HTTPS connection to the console, on the certificate it has before (its self-signed one, or another test's).
        using var browser = new ConsoleHttpsClient(host.Factory.HttpsAddress, "mail.acme.test");
        Assert.Equal(HttpStatusCode.OK, await browser.GetAsync("/signin"));
        var first = Assert.Single(browser.Handshakes).SerialNumber;

        using var response = await client.PostAsync("/api/v1/certificates/acme", Json($$"""
            {"names":["mail.acme.test","IMAP.acme.test"],"directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true,"contact":"postmaster@acme.test"}
            """));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var requested = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", requested.GetProperty("status").GetString());
        Assert.Equal(["mail.acme.test", "imap.acme.test"], requested.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        var id = requested.GetProperty("id").GetString()!;

        var issued = await WaitForStatusAsync(client, id, "valid", "failed");
        Assert.True(issued.GetProperty("status").GetString() == "valid", issued.ToString());
        Assert.Equal(JsonValueKind.Null, issued.GetProperty("lastError").ValueKind);
        var notAfter = issued.GetProperty("notAfter").GetDateTimeOffset();
        var notBefore = issued.GetProperty("notBefore").GetDateTimeOffset();
        var renewAt = issued.GetProperty("renewAt").GetDateTimeOffset();
        // No renewal information from this pebble: renewal when a third of the lifetime is left.
        Assert.InRange(renewAt, notAfter - (notAfter - notBefore) / 3 - TimeSpan.FromMinutes(1), notAfter - (notAfter - notBefore) / 3 + TimeSpan.FromMinutes(1));
        var serial = issued.GetProperty("serialNumber").GetString()!;
        // The last step: the engine node and the console's HTTPS both serve it.
        var installed = await WaitForStepAsync(client, id, "installed");
        var steps = installed.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("step").GetString()).ToList();
        Assert.Equal(["installed", "issued", "validation", "validation", "order", "requested"], steps);
        Assert.Equal("Installed on 1 of 1 engine node(s) (local); the console's HTTPS serves it.", installed.GetProperty("events")[0].GetProperty("message").GetString());
        Assert.Equal(["engine node local", "console HTTPS"], installed.GetProperty("inUse").EnumerateArray().Select(e => e.GetString()));

        // In the next snapshot, to the engine, without a restart.
        await host.WaitForEngineAsync(s => s.Certificate("imap.acme.test")?.Leaf.SerialNumber == serial, "The engine did not get the issued certificate");

        // Real clients that trust only pebble's root: implicit TLS with SNI, and STARTTLS with none (the host name's certificate).
        using var root = await host.Pebble.IssuingRootAsync();
        var rootFile = Path.Combine(host.Factory.EngineRoot, "pebble-root.pem");
        await File.WriteAllTextAsync(rootFile, root.ExportCertificatePem());
        var submissions = Engine.Endpoints[ListenerKind.Submissions];
        var implicitTls = await OpenSslAsync($"-connect 127.0.0.1:{submissions.Port} -servername mail.acme.test -verify_hostname mail.acme.test -CAfile {rootFile} -verify_return_error");
        Assert.Contains("Verify return code: 0 (ok)", implicitTls.Output);
        Assert.True(implicitTls.Output.Split("-----BEGIN CERTIFICATE-----").Length - 1 >= 2, "the intermediate was not sent: " + implicitTls.Output);
        // STARTTLS on submission and IMAP, and IMAPS, without SNI: the certificate of the host name (mail.acme.test).
        var imap = Engine.ImapEndpoints["imap"];
        var imaps = Engine.ImapEndpoints["imaps"];
        foreach (var (what, arguments) in new[]
        {
            ("submission STARTTLS", $"-starttls smtp -connect 127.0.0.1:{submission.Port}"),
            ("IMAP STARTTLS", $"-starttls imap -connect 127.0.0.1:{imap.Port}"),
            ("IMAPS", $"-connect 127.0.0.1:{imaps.Port}"),
        })
        {
            var presented = await OpenSslAsync($"{arguments} -noservername -verify_hostname imap.acme.test -CAfile {rootFile} -verify_return_error");
            Assert.True(presented.Output.Contains("Verify return code: 0 (ok)", StringComparison.Ordinal), $"{what}: {presented.Output} {presented.Errors}");
        }

        // The console's HTTPS too: by SNI, and without SNI its host name's (the mail host here), with the intermediate.
        var https = host.Factory.HttpsAddress.Port;
        var console = await OpenSslAsync($"-connect 127.0.0.1:{https} -servername imap.acme.test -verify_hostname imap.acme.test -CAfile {rootFile} -verify_return_error");
        Assert.True(console.Output.Contains("Verify return code: 0 (ok)", StringComparison.Ordinal), $"console HTTPS: {console.Output} {console.Errors}");
        Assert.True(console.Output.Split("-----BEGIN CERTIFICATE-----").Length - 1 >= 2, "the console sent no intermediate: " + console.Output);
        var noSni = await OpenSslAsync($"-connect 127.0.0.1:{https} -noservername -verify_hostname mail.acme.test -CAfile {rootFile} -verify_return_error");
        Assert.True(noSni.Output.Contains("Verify return code: 0 (ok)", StringComparison.Ordinal), $"console HTTPS without SNI: {noSni.Output} {noSni.Errors}");

        // The sessions from before go on with their own certificate: SMTP, and the browser's connection (no second handshake).
        await before.NoOpAsync();
        await before.DisconnectAsync(true);
        Assert.Equal(HttpStatusCode.OK, await browser.GetAsync("/signin"));
        Assert.Equal(first, Assert.Single(browser.Handshakes).SerialNumber);
        Assert.NotEqual(serial, first);

        // Sealed in the database, never in an API answer.
        var text = await client.GetStringAsync("/api/v1/certificates");
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        var privateKey = Engine.Snapshots.Current.Certificate("mail.acme.test")!.Leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKey();
        await using (var db = host.Database.CreateContext())
        {
            var stored = await db.ServerCertificates.SingleAsync(c => c.Id == Guid.Parse(id));
            Assert.Equal(new byte[] { 0x09, 0xF0, 0xC9, 0xF0 }, stored.SealedPrivateKey![..4]);
            Assert.False(stored.SealedPrivateKey.AsSpan().IndexOf(privateKey.AsSpan(privateKey.Length - 32)) >= 0);
            Assert.DoesNotContain("PRIVATE KEY", stored.ChainPem);
            var account = await db.AcmeAccounts.SingleAsync(a => a.DirectoryUrl == host.DirectoryUrl);
            Assert.Equal(new byte[] { 0x09, 0xF0, 0xC9, 0xF0 }, account.SealedKey[..4]);
            Assert.Empty(await db.AcmeChallengeAnswers.ToListAsync());
        }

        // Nor in the engine's state folder (its saved snapshot is sealed): neither the key's bytes nor its base64.
        var base64 = Convert.ToBase64String(privateKey);
        foreach (var file in Directory.EnumerateFiles(host.Factory.EngineRoot, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.False(bytes.AsSpan().IndexOf(privateKey.AsSpan(privateKey.Length - 32)) >= 0, $"{file} holds the private key");
            Assert.DoesNotContain(base64[^40..], System.Text.Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
        }

        // Nor in any line the console and the engine logged (theirs down to Debug): neither this key nor the ACME account's.
        byte[] accountKey;
        await using (var db = host.Database.CreateContext())
            accountKey = host.Factory.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>()
                .CreateProtector("AdminConsole.Certificates.AcmeAccountKey.v1").Unprotect((await db.AcmeAccounts.SingleAsync(a => a.DirectoryUrl == host.DirectoryUrl)).SealedKey);
        var log = host.Factory.Log.Text;
        Assert.Contains(host.Factory.Log.Lines, l => l.Contains("Certificate for mail.acme.test, imap.acme.test issued by", StringComparison.Ordinal));
        foreach (var key in new[] { privateKey, accountKey })
        {
            Assert.DoesNotContain(Convert.ToBase64String(key)[^40..], log, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(key[^32..]), log, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain("PRIVATE KEY", log, StringComparison.Ordinal);

        // Revoked: out of the snapshot; the engine falls back to another for the name (a wildcard another test got) or its own.
        using var revoked = await client.PostAsync($"/api/v1/certificates/{id}/revoke", null);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("revoked", (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        await host.WaitForEngineAsync(s => s.Certificate("imap.acme.test")?.Leaf.SerialNumber != serial, "The revoked certificate stayed in the engine");
        await ProblemAsync(await client.PostAsync($"/api/v1/certificates/{id}/revoke", null), HttpStatusCode.Conflict);
    }

    /// <summary>DNS-01 (RFC 8555 §8.4) through the domain's RFC 2136 server: a wildcard, the TXT records on every name server first, removed after.</summary>
    [Fact]
    public async Task A_wildcard_certificate_is_issued_over_DNS01_published_by_RFC2136_and_the_records_are_removed_after()
    {
        using var client = await host.ApiClientAsync();
        // A wildcard needs dns-01 (without the hook configured, dns-01 needs a publisher: CertificateRequestTests).
        var refused = await ProblemAsync(await client.PostAsync("/api/v1/certificates/acme", Json($$"""{"names":["*.acme.test"],"directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}""")), HttpStatusCode.BadRequest);
        Assert.Contains("dns-01", refused.GetProperty("errors").GetProperty("names")[0].GetString());

        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{AcmeConsoleHost.Zone}}"}"""))).EnsureSuccessStatusCode();
        (await client.PutAsync($"/api/v1/domains/{AcmeConsoleHost.Zone}/dns/publisher",
            Json($$"""{"server":"{{host.Dns.Endpoint}}","keyName":"{{AcmeConsoleHost.UpdateKey.Name}}","secret":"{{AcmeConsoleHost.UpdateKey.Secret}}"}"""))).EnsureSuccessStatusCode();

        using var response = await client.PostAsync("/api/v1/certificates/acme", Json($$"""
            {"names":["acme.test","*.acme.test"],"challenge":"dns-01","directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}
            """));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var issued = await WaitForStatusAsync(client, id, "valid", "failed");
        Assert.True(issued.GetProperty("status").GetString() == "valid", issued.ToString());
        Assert.Equal("dns-01", issued.GetProperty("challenge").GetString());
        Assert.Equal(2, issued.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("step").GetString() == "challenge"));

        // Any one-label name under the zone gets it from the engine.
        var serial = issued.GetProperty("serialNumber").GetString();
        await host.WaitForEngineAsync(s => s.Certificate("anything.acme.test")?.Leaf.SerialNumber == serial, "The engine did not get the wildcard certificate");

        // The challenge records are gone from the zone.
        var lookup = new DnsClient.LookupClient(new DnsClient.LookupClientOptions(new DnsClient.NameServer(IPAddress.Loopback, host.Dns.Port)) { UseCache = false, Recursion = false });
        var txt = await lookup.QueryAsync("_acme-challenge.acme.test", DnsClient.QueryType.TXT);
        Assert.Empty(txt.Answers.TxtRecords());
    }

    /// <summary>
    /// Certificates for the same name issued side by side each keep their own HTTP-01 answer until the
    /// CA has fetched it: a run that finished used to remove every answer for its names, the other
    /// run's too, and that one failed (seen on the page: two requests in a row, one "not issued").
    /// </summary>
    [Fact]
    public async Task Certificates_for_the_same_name_issued_at_the_same_time_are_all_issued()
    {
        using var client = await host.ApiClientAsync();
        var ids = new List<string>();
        foreach (var names in new[] { """["mail.acme.test","imap.acme.test"]""", """["imap.acme.test"]""", """["imap.acme.test","mail.acme.test"]""" })
        {
            using var response = await client.PostAsync("/api/v1/certificates/acme", Json($$"""{"names":{{names}},"directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}"""));
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        foreach (var id in ids)
        {
            var done = await WaitForStatusAsync(client, id, "valid", "failed");
            Assert.True(done.GetProperty("status").GetString() == "valid", done.ToString());
        }

        // And each is installed everywhere soon after: an issuance that waited for the snapshot push in its
        // job held a job worker the push needed (two issuances on two workers waited out the whole wait).
        foreach (var id in ids)
        {
            var installed = await WaitForStepAsync(client, id, "installed");
            Assert.Equal("Installed on 1 of 1 engine node(s) (local); the console's HTTPS serves it.", installed.GetProperty("events")[0].GetProperty("message").GetString());
        }
    }

    /// <summary>The wall clock moved past the renewal time, timers left real (the CA is polled in real time).</summary>
    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }

    /// <summary>The hourly job renews a certificate once its renewal time has come (here: the clock moved there), and the engine serves the new one.</summary>
    [Fact]
    public async Task The_renewal_job_renews_a_certificate_when_its_time_has_come_and_not_before()
    {
        using var client = await host.ApiClientAsync();
        using var response = await client.PostAsync("/api/v1/certificates/acme", Json($$"""{"names":["mail.acme.test"],"directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}"""));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var first = await WaitForStatusAsync(client, id, "valid", "failed");
        Assert.True(first.GetProperty("status").GetString() == "valid", first.ToString());
        var renewAt = first.GetProperty("renewAt").GetDateTimeOffset();

        async Task RunJobAtAsync(DateTimeOffset at)
        {
            await using var scope = host.Factory.Services.CreateAsyncScope();
            var clock = new ShiftedClock(at - DateTimeOffset.UtcNow);
            var service = ActivatorUtilities.CreateInstance<Core.Certificates.CertificateService>(scope.ServiceProvider, (TimeProvider)clock);
            var issuer = ActivatorUtilities.CreateInstance<Core.Certificates.CertificateIssuer>(scope.ServiceProvider, (TimeProvider)clock, service);
            await ActivatorUtilities.CreateInstance<Core.Certificates.CertificateRenewalJob>(scope.ServiceProvider, (TimeProvider)clock, issuer).RunAsync(default);
        }

        // A day before its time: left alone.
        await RunJobAtAsync(renewAt.AddDays(-1));
        Assert.Equal(first.GetProperty("serialNumber").GetString(), (await client.GetFromJsonAsync<JsonElement>($"/api/v1/certificates/{id}")).GetProperty("serialNumber").GetString());

        // Its time: renewed, a new serial, in the engine.
        await RunJobAtAsync(renewAt.AddHours(1));
        var renewed = await client.GetFromJsonAsync<JsonElement>($"/api/v1/certificates/{id}");
        var serial = renewed.GetProperty("serialNumber").GetString();
        Assert.NotEqual(first.GetProperty("serialNumber").GetString(), serial);
        Assert.Equal(2, renewed.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("step").GetString() == "issued"));
        await host.WaitForEngineAsync(s => s.Certificates().Any(c => c.Leaf.SerialNumber == serial), "The engine did not get the renewed certificate");
    }

    [Fact]
    public async Task A_name_the_CA_cannot_reach_fails_in_words_and_is_retried_later_with_a_growing_back_off()
    {
        using var client = await host.ApiClientAsync();
        using var response = await client.PostAsync("/api/v1/certificates/acme", Json($$"""{"names":["refused.acme.test"],"directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}"""));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var failed = await WaitForStatusAsync(client, id, "failed", "valid");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var error = failed.GetProperty("lastError").GetString()!;
        Assert.StartsWith("refused.acme.test: the CA could not reach the server: ", error);
        Assert.Contains("refused", error["refused.acme.test".Length..], StringComparison.OrdinalIgnoreCase);
        var first = failed.GetProperty("nextAttemptAt").GetDateTimeOffset();
        Assert.True(first > DateTimeOffset.UtcNow.AddMinutes(55), $"next attempt {first:O}");
        Assert.Equal("failed", failed.GetProperty("events")[0].GetProperty("step").GetString());

        // The hourly run leaves it alone until then.
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Core.Certificates.CertificateRenewalJob>().RunAsync(default);
        Assert.Equal(first, (await client.GetFromJsonAsync<JsonElement>($"/api/v1/certificates/{id}")).GetProperty("nextAttemptAt").GetDateTimeOffset());

        // Renew now: tried at once, fails again, and waits twice as long.
        using var renew = await client.PostAsync($"/api/v1/certificates/{id}/renew", null);
        Assert.True(renew.StatusCode == HttpStatusCode.Accepted, await renew.Content.ReadAsStringAsync());
        var deadline = DateTime.UtcNow + IssuanceWait;
        JsonElement again;
        do
        {
            await Task.Delay(200);
            again = await client.GetFromJsonAsync<JsonElement>($"/api/v1/certificates/{id}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException(again.ToString());
        }
        while (again.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("step").GetString() == "failed") < 2);
        Assert.True(again.GetProperty("nextAttemptAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(115), again.ToString());
        await using var db = host.Database.CreateContext();
        Assert.Equal(2, (await db.ServerCertificates.SingleAsync(c => c.Id == Guid.Parse(id))).FailedAttempts);
    }

    [Fact]
    public async Task Bad_orders_are_refused_beside_their_fields_and_nothing_is_stored()
    {
        using var client = await host.ApiClientAsync();
        var count = (await client.GetFromJsonAsync<JsonElement>("/api/v1/certificates")).GetArrayLength();
        async Task RefusedAsync(string body, string field, string? words = null)
        {
            var problem = await ProblemAsync(await client.PostAsync("/api/v1/certificates/acme", Json(body)), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"{body}: {problem}");
            if (words is not null) Assert.Contains(words, messages[0].GetString());
        }

        var directory = host.DirectoryUrl;
        await RefusedAsync($$"""{"names":[],"directoryUrl":"{{directory}}","agreeToTerms":true}""", "names");
        await RefusedAsync($$"""{"names":["*.acme.test"],"directoryUrl":"{{directory}}","agreeToTerms":true}""", "names", "wildcard");
        await RefusedAsync($$"""{"names":["not a name"],"directoryUrl":"{{directory}}","agreeToTerms":true}""", "names");
        await RefusedAsync($$"""{"names":["mail.acme.test"],"challenge":"dns-07","directoryUrl":"{{directory}}","agreeToTerms":true}""", "challenge");
        await RefusedAsync($$"""{"names":["mail.acme.test"],"keyAlgorithm":"dsa","directoryUrl":"{{directory}}","agreeToTerms":true}""", "keyAlgorithm");
        await RefusedAsync("""{"names":["mail.acme.test"],"authority":"nowhere","agreeToTerms":true}""", "authority");
        await RefusedAsync("""{"names":["mail.acme.test"],"directoryUrl":"http://ca.test/dir","agreeToTerms":true}""", "directoryUrl");
        await RefusedAsync($$"""{"names":["mail.acme.test"],"directoryUrl":"{{directory}}","agreeToTerms":true,"contact":"not an address"}""", "contact");
        await RefusedAsync($$"""{"names":["mail.acme.test"],"directoryUrl":"{{directory}}","agreeToTerms":true,"externalAccountKeyId":"kid","externalAccountMacKey":"%%%"}""", "externalAccountMacKey");
        // A CA nobody listens at: said beside the directory URL.
        await RefusedAsync($$"""{"names":["mail.acme.test"],"directoryUrl":"https://127.0.0.1:{{MailEngine.Server.Tests.EngineNodeProcess.FreePort()}}/dir","agreeToTerms":true}""", "directoryUrl", "could not be reached");

        Assert.Equal(count, (await client.GetFromJsonAsync<JsonElement>("/api/v1/certificates")).GetArrayLength());
    }

    [Fact]
    public async Task A_CA_whose_terms_were_not_agreed_to_is_answered_beside_the_field()
    {
        // A directory of its own (a trailing query makes it another account): pebble has terms of service.
        using var client = await host.ApiClientAsync();
        var problem = await ProblemAsync(await client.PostAsync("/api/v1/certificates/acme", Json($$"""{"names":["mail.acme.test"],"directoryUrl":"{{host.DirectoryUrl}}?terms"}""")), HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out _), problem.ToString());
        Assert.Contains("terms of service", problem.GetProperty("errors").GetProperty("agreeToTerms")[0].GetString());
        await using var db = host.Database.CreateContext();
        Assert.False(await db.AcmeAccounts.AnyAsync(a => a.DirectoryUrl.EndsWith("?terms")));
    }

    [Fact]
    public async Task The_challenge_answer_is_served_only_for_its_token_and_host()
    {
        await using (var db = host.Database.CreateContext())
        {
            db.AcmeChallengeAnswers.Add(new Core.Certificates.AcmeChallengeAnswer { Token = "tok-123", Name = "mail.acme.test", KeyAuthorization = "tok-123.thumb", ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(10) });
            db.AcmeChallengeAnswers.Add(new Core.Certificates.AcmeChallengeAnswer { Token = "tok-old", Name = "mail.acme.test", KeyAuthorization = "tok-old.thumb", ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
            await db.SaveChangesAsync();
        }

        try
        {
            using var anonymous = host.Factory.CreateHttpClient();
            async Task<HttpResponseMessage> GetAsync(string token, string hostHeader)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/.well-known/acme-challenge/{token}");
                request.Headers.Host = hostHeader;
                return await anonymous.SendAsync(request);
            }

            using var answered = await GetAsync("tok-123", "mail.acme.test");
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.Equal("tok-123.thumb", await answered.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("tok-123", "other.acme.test")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("tok-old", "mail.acme.test")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("unknown", "mail.acme.test")).StatusCode);
        }
        finally
        {
            await using var db = host.Database.CreateContext();
            await db.AcmeChallengeAnswers.Where(a => a.Token.StartsWith("tok-")).ExecuteDeleteAsync();
        }
    }

    /// <summary>TLS-ALPN-01 (RFC 8737): pebble connects to the console's HTTPS offering acme-tls/1, the console answers, and then serves the certificate there.</summary>
    [Fact]
    public async Task A_certificate_issued_over_TLS_ALPN01_is_answered_by_the_consoles_HTTPS_and_then_served_there()
    {
        using var client = await host.ApiClientAsync();
        using var response = await client.PostAsync("/api/v1/certificates/acme", Json($$"""
            {"names":["alpn.acme.test"],"challenge":"tls-alpn-01","directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}
            """));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var issued = await WaitForStatusAsync(client, id, "valid", "failed");
        Assert.True(issued.GetProperty("status").GetString() == "valid", issued.ToString());
        Assert.Equal("tls-alpn-01", issued.GetProperty("challenge").GetString());
        Assert.Contains(issued.GetProperty("events").EnumerateArray(), e => e.GetProperty("message").GetString() == "alpn.acme.test validated (tls-alpn-01).");
        var installed = await WaitForStepAsync(client, id, "installed");
        Assert.Contains("console HTTPS", installed.GetProperty("inUse").EnumerateArray().Select(e => e.GetString()));

        using var root = await host.Pebble.IssuingRootAsync();
        var rootFile = Path.Combine(host.Factory.EngineRoot, "pebble-root-alpn.pem");
        await File.WriteAllTextAsync(rootFile, root.ExportCertificatePem());
        var served = await OpenSslAsync($"-connect 127.0.0.1:{host.Factory.HttpsAddress.Port} -servername alpn.acme.test -verify_hostname alpn.acme.test -CAfile {rootFile} -verify_return_error");
        Assert.True(served.Output.Contains("Verify return code: 0 (ok)", StringComparison.Ordinal), $"{served.Output} {served.Errors}");
        await using var db = host.Database.CreateContext();
        Assert.Empty(await db.AcmeChallengeAnswers.Where(a => a.Name == "alpn.acme.test").ToListAsync());
    }

    /// <summary>The handshake of a client offering only acme-tls/1: the certificate it gets and the protocol agreed, or null when the server refused it.</summary>
    private async Task<(X509Certificate2 Certificate, string Protocol)?> AcmeTlsHandshakeAsync(string serverName)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, host.Factory.HttpsAddress.Port);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream());
        try
        {
            await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                ApplicationProtocols = [new System.Net.Security.SslApplicationProtocol(Core.Certificates.Acme.AcmeTlsAlpn.Protocol)],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
        }
        catch (System.Security.Authentication.AuthenticationException)
        {
            return null;
        }

        return (X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData()), tls.NegotiatedApplicationProtocol.ToString());
    }

    [Fact]
    public async Task The_consoles_HTTPS_answers_acme_tls_only_for_a_name_with_a_pending_tls_alpn_answer()
    {
        const string keyAuthorization = "alpn-tok.thumbprint";
        await using (var db = host.Database.CreateContext())
        {
            db.AcmeChallengeAnswers.Add(new Core.Certificates.AcmeChallengeAnswer
            {
                Token = "alpn-tok", Name = "alpn.acme.test", Challenge = Core.Certificates.AcmeChallengeKind.TlsAlpn01, KeyAuthorization = keyAuthorization, ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(10),
            });
            db.AcmeChallengeAnswers.Add(new Core.Certificates.AcmeChallengeAnswer
            {
                Token = "alpn-http", Name = "imap.acme.test", Challenge = Core.Certificates.AcmeChallengeKind.Http01, KeyAuthorization = "alpn-http.thumbprint", ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(10),
            });
            await db.SaveChangesAsync();
        }

        try
        {
            // RFC 8737 §3: a self-signed certificate for the one name, the critical acmeIdentifier extension
            // holding the SHA-256 of the key authorization, and acme-tls/1 agreed.
            var answered = await AcmeTlsHandshakeAsync("alpn.acme.test");
            Assert.NotNull(answered);
            using (var certificate = answered.Value.Certificate)
            {
                Assert.Equal("acme-tls/1", answered.Value.Protocol);
                Assert.Equal(["alpn.acme.test"], certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
                var identifier = certificate.Extensions[Core.Certificates.Acme.AcmeTlsAlpn.IdentifierOid]!;
                Assert.True(identifier.Critical);
                Assert.Equal([0x04, 0x20, .. System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(keyAuthorization))], identifier.RawData);
            }

            // An http-01 answer is no tls-alpn-01 answer, and a name with none gets no challenge certificate:
            // the ordinary listener offers h2 and http/1.1 only, so the handshake ends with a fatal
            // no_application_protocol alert (RFC 7301 §3.2).
            foreach (var name in new[] { "imap.acme.test", "other.acme.test" })
                Assert.Null(await AcmeTlsHandshakeAsync(name));

            // Nor is a tls-alpn-01 answer served over HTTP.
            using var anonymous = host.Factory.CreateHttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/acme-challenge/alpn-tok");
            request.Headers.Host = "alpn.acme.test";
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.SendAsync(request)).StatusCode);
        }
        finally
        {
            await using var db = host.Database.CreateContext();
            await db.AcmeChallengeAnswers.Where(a => a.Token.StartsWith("alpn-")).ExecuteDeleteAsync();
        }
    }

    /// <summary>A CA that lost our account (a restarted test CA, a staging reset) gets a new one made at the next order, and the issuance goes on.</summary>
    [Fact]
    public async Task An_account_the_CA_no_longer_knows_is_replaced_and_the_certificate_issued()
    {
        using var client = await host.ApiClientAsync();
        // Our account at pebble (made now if no other test made it), then lost by the CA: its URL names none.
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Core.Certificates.CertificateService>().AccountAsync(host.DirectoryUrl, "postmaster@acme.test", agreeToTerms: true, binding: null, default);
        string lost;
        List<string> contact;
        await using (var db = host.Database.CreateContext())
        {
            var account = await db.AcmeAccounts.SingleAsync(a => a.DirectoryUrl == host.DirectoryUrl);
            contact = [.. account.Contact];
            lost = account.AccountUrl[..(account.AccountUrl.LastIndexOf('/') + 1)] + "0";
            account.AccountUrl = lost;
            await db.SaveChangesAsync();
        }

        using var response = await client.PostAsync("/api/v1/certificates/acme", Json($$"""{"names":["mail.acme.test"],"directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}"""));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var issued = await WaitForStatusAsync(client, id, "valid", "failed");
        Assert.True(issued.GetProperty("status").GetString() == "valid", issued.ToString());
        Assert.Contains(issued.GetProperty("events").EnumerateArray(), e => e.GetProperty("message").GetString()!.EndsWith("a new account was made.", StringComparison.Ordinal));
        await using var check = host.Database.CreateContext();
        var replaced = await check.AcmeAccounts.SingleAsync(a => a.DirectoryUrl == host.DirectoryUrl);
        Assert.NotEqual(lost, replaced.AccountUrl);
        Assert.Equal(contact, replaced.Contact);
    }

    /// <summary>
    /// A zone at a DNS provider without RFC 2136: the operator's hook publishes the dns-01 records (here a
    /// script that updates the test BIND), the issuance waits for every name server, the hook removes them
    /// after; a hook that fails says so in words.
    /// </summary>
    [Fact]
    public async Task A_wildcard_for_a_zone_without_RFC2136_is_issued_over_DNS01_through_the_operators_hook()
    {
        using var client = await host.ApiClientAsync();
        using var response = await client.PostAsync("/api/v1/certificates/acme", Json($$"""
            {"names":["{{AcmeConsoleHost.HookZone}}","*.{{AcmeConsoleHost.HookZone}}"],"challenge":"dns-01","directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}
            """));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var issued = await WaitForStatusAsync(client, id, "valid", "failed");
        Assert.True(issued.GetProperty("status").GetString() == "valid", issued.ToString());
        Assert.Equal(2, issued.GetProperty("events").EnumerateArray().Count(e =>
            e.GetProperty("message").GetString() == $"Published _acme-challenge.{AcmeConsoleHost.HookZone} TXT by the dns-01 hook; every name server of the zone has it."));

        // Two records added (the name and its wildcard share _acme-challenge.hook.test), both removed, and the zone has none left.
        var calls = (await File.ReadAllLinesAsync(host.HookCalls)).Where(l => l.Contains($" _acme-challenge.{AcmeConsoleHost.HookZone} ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, calls.Count(c => c.StartsWith("add ", StringComparison.Ordinal)));
        Assert.Equal(calls.Where(c => c.StartsWith("add ", StringComparison.Ordinal)).Select(c => c[4..]).Order(), calls.Where(c => c.StartsWith("remove ", StringComparison.Ordinal)).Select(c => c[7..]).Order());
        var lookup = new DnsClient.LookupClient(new DnsClient.LookupClientOptions(new DnsClient.NameServer(IPAddress.Loopback, host.Dns.Port)) { UseCache = false, Recursion = false });
        Assert.Empty((await lookup.QueryAsync($"_acme-challenge.{AcmeConsoleHost.HookZone}", DnsClient.QueryType.TXT)).Answers.TxtRecords());
        var serial = issued.GetProperty("serialNumber").GetString();
        await host.WaitForEngineAsync(s => s.Certificate($"anything.{AcmeConsoleHost.HookZone}")?.Leaf.SerialNumber == serial, "The engine did not get the hook's wildcard certificate");

        // The provider refuses: the failure names the hook, its exit code and what it said.
        using var failing = await client.PostAsync("/api/v1/certificates/acme", Json($$"""
            {"names":["fail.{{AcmeConsoleHost.HookZone}}"],"challenge":"dns-01","directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}
            """));
        var failed = await WaitForStatusAsync(client, (await failing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!, "valid", "failed");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal($"_acme-challenge.fail.{AcmeConsoleHost.HookZone}: the dns-01 hook {host.HookFile} add exited with 3 and said: the provider refused _acme-challenge.fail.{AcmeConsoleHost.HookZone}: quota exceeded",
            failed.GetProperty("lastError").GetString());
    }

    /// <summary>Account key rollover (RFC 8555 §7.3.5, adminctl certificates rollover-account): the same account, a new key that orders, the old one refused.</summary>
    [Fact]
    public async Task A_rolled_over_account_key_signs_the_next_order_and_the_old_key_is_refused()
    {
        var protector = host.Factory.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>().CreateProtector("AdminConsole.Certificates.AcmeAccountKey.v1");
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Core.Certificates.CertificateService>().AccountAsync(host.DirectoryUrl, null, agreeToTerms: true, binding: null, default);
        byte[] oldKey;
        await using (var db = host.Database.CreateContext())
            oldKey = protector.Unprotect((await db.AcmeAccounts.SingleAsync(a => a.DirectoryUrl == host.DirectoryUrl)).SealedKey);

        string account;
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            account = await scope.ServiceProvider.GetRequiredService<Core.Certificates.CertificateService>().RolloverAccountKeyAsync(host.DirectoryUrl, "test", null, default);
        byte[] newKey;
        await using (var db = host.Database.CreateContext())
        {
            var stored = await db.AcmeAccounts.SingleAsync(a => a.DirectoryUrl == host.DirectoryUrl);
            Assert.Equal(account, stored.AccountUrl);
            newKey = protector.Unprotect(stored.SealedKey);
            Assert.Contains(await db.AuditEvents.Where(e => e.Action == "acme.account-key-rolled-over").ToListAsync(), e => e.Actor == "test");
        }

        Assert.NotEqual(oldKey, newKey);
        var http = host.Factory.Services.GetRequiredService<IHttpClientFactory>();
        AcmeClient ClientWith(byte[] key) => new(http.CreateClient(Core.Certificates.AcmeHttp.ClientName), new Uri(host.DirectoryUrl), AcmeAccountKey.FromPkcs8(key), TimeProvider.System);
        var refused = await Assert.ThrowsAsync<AcmeException>(() => ClientWith(oldKey).FindAccountAsync(default));
        Assert.Equal("accountDoesNotExist", refused.Problem.Name);
        Assert.Equal(account, (await ClientWith(newKey).FindAccountAsync(default)).Location.ToString());

        using var client = await host.ApiClientAsync();
        using var response = await client.PostAsync("/api/v1/certificates/acme", Json($$"""{"names":["imap.acme.test"],"directoryUrl":"{{host.DirectoryUrl}}","agreeToTerms":true}"""));
        var issued = await WaitForStatusAsync(client, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!, "valid", "failed");
        Assert.True(issued.GetProperty("status").GetString() == "valid", issued.ToString());
    }
}
