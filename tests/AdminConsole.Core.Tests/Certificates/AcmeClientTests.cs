using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AdminConsole.Core.Certificates.Acme;
using AdminConsole.Testing;

namespace AdminConsole.Core.Tests.Certificates;

/// <summary>
/// The names pebble validates: a BIND zone on 127.0.0.1 (mail and imap at 127.0.0.1, where the HTTP-01
/// responder listens; refused at 127.0.0.2, where nothing does), the responder, and pebble itself.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AcmeTestCa : IAsyncLifetime
{
    public BindServer Dns { get; } = BindServer.Reserve();
    public Http01Responder Web { get; } = new();
    public PebbleServer Pebble { get; } = PebbleServer.Reserve();
    public int TlsPort { get; } = MailEngine.Server.Tests.EngineNodeProcess.FreePort();

    public async Task InitializeAsync()
    {
        await Dns.StartAsync(new Dictionary<string, string> { [AcmeConsoleHost.Zone] = AcmeConsoleHost.ZoneText });
        await Pebble.StartAsync(Dns, Web.Port, TlsPort);
    }

    public AcmeClient Client(AcmeAccountKey key, PebbleServer? pebble = null) =>
        new((pebble ?? Pebble).CreateHttpClient(), (pebble ?? Pebble).Directory, key, TimeProvider.System);

    public async Task DisposeAsync()
    {
        await Pebble.DisposeAsync();
        await Web.DisposeAsync();
        await Dns.DisposeAsync();
    }
}

/// <summary>Our RFC 8555 client against Debian's pebble, challenges really validated over loopback.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AcmeClientTests(AcmeTestCa ca) : IClassFixture<AcmeTestCa>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_certificate_for_two_names_is_issued_over_HTTP01_downloaded_as_a_chain_and_revoked()
    {
        using var key = AcmeAccountKey.Create();
        var client = ca.Client(key);
        var directory = await client.DirectoryAsync(default);
        Assert.NotNull(directory.Meta?.TermsOfService);
        var account = await client.CreateAccountAsync(["postmaster@acme.test"], true, null, default);
        Assert.Equal("valid", account.Status);
        Assert.Equal(["mailto:postmaster@acme.test"], account.Contact);

        string[] names = ["mail.acme.test", "imap.acme.test"];
        var order = await client.NewOrderAsync(names, null, default);
        Assert.Equal("pending", order.Status);
        foreach (var url in order.Authorizations)
        {
            var authorization = await client.AuthorizationAsync(url, default);
            var challenge = authorization.Challenges.Single(c => c.Type == AcmeChallenge.Http01);
            ca.Web.Answer(challenge.Token!, client.KeyAuthorization(challenge.Token!));
            await client.AnswerChallengeAsync(challenge.Url, default);
            Assert.Equal("valid", (await client.WaitForAuthorizationAsync(url, Limit, default)).Status);
        }

        // The validator really fetched each token from our responder.
        Assert.Contains(ca.Web.Requests, p => p.StartsWith("/.well-known/acme-challenge/", StringComparison.Ordinal));

        using var certificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mail.acme.test", certificateKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        var valid = await client.FinalizeAsync(await client.OrderAsync(order.Location, default), request.CreateSigningRequest(), Limit, default);
        Assert.NotNull(valid.Certificate);

        var pem = await client.DownloadCertificateAsync(valid.Certificate!, default);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pem);
        Assert.True(chain.Count >= 2, pem);
        using var leaf = chain[0];
        Assert.Equal(names.Order(), leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().Order());
        using var leafPublic = leaf.GetECDsaPublicKey()!;
        Assert.Equal(certificateKey.ExportSubjectPublicKeyInfo(), leafPublic.ExportSubjectPublicKeyInfo());
        using var root = await ca.Pebble.IssuingRootAsync();
        using var builder = new X509Chain();
        builder.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        builder.ChainPolicy.CustomTrustStore.Add(root);
        builder.ChainPolicy.ExtraStore.AddRange(chain);
        builder.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(builder.Build(leaf), string.Join("; ", builder.ChainStatus.Select(s => s.StatusInformation)));
        Assert.NotNull(AcmeClient.CertificateId(leaf));

        // Revoked once (RFC 5280 reason 4, superseded); a second time the CA says it already is.
        await client.RevokeAsync(leaf, 4, default);
        var again = await Assert.ThrowsAsync<AcmeException>(() => client.RevokeAsync(leaf, 4, default));
        Assert.Equal("alreadyRevoked", again.Problem.Name);
    }

    /// <summary>A name whose server refuses connections: the challenge fails, and the admin reads where and why.</summary>
    [Fact]
    public async Task A_challenge_the_CA_cannot_reach_fails_with_the_reason_in_words()
    {
        using var key = AcmeAccountKey.Create();
        var client = ca.Client(key);
        await client.CreateAccountAsync(["postmaster@acme.test"], true, null, default);
        var order = await client.NewOrderAsync(["refused.acme.test"], null, default);
        var url = Assert.Single(order.Authorizations);
        var challenge = (await client.AuthorizationAsync(url, default)).Challenges.Single(c => c.Type == AcmeChallenge.Http01);
        await client.AnswerChallengeAsync(challenge.Url, default);

        var authorization = await client.WaitForAuthorizationAsync(url, Limit, default);
        Assert.Equal("invalid", authorization.Status);
        var error = authorization.Challenges.Single(c => c.Type == AcmeChallenge.Http01).Error!;
        Assert.Equal("connection", error.Name);
        var words = error.Describe();
        Assert.StartsWith("the CA could not reach the server: ", words);
        Assert.Contains("refused.acme.test", words);
        Assert.Contains("refused", words.Replace("refused.acme.test", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

        // An order whose authorization failed cannot be finalized.
        using var certificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=refused.acme.test", certificateKey, HashAlgorithmName.SHA256).CreateSigningRequest();
        var refused = await Assert.ThrowsAsync<AcmeException>(() => client.FinalizeAsync(order, csr, Limit, default));
        Assert.Contains(refused.Problem.Name, new[] { "orderNotReady", "malformed", "unauthorized" });
    }

    /// <summary>RFC 8555 §7.3.5: after a rollover the account answers to the new key only.</summary>
    [Fact]
    public async Task After_a_key_rollover_the_account_belongs_to_the_new_key()
    {
        using var oldKey = AcmeAccountKey.Create();
        var client = ca.Client(oldKey);
        var account = await client.CreateAccountAsync(["postmaster@acme.test"], true, null, default);
        using var newKey = AcmeAccountKey.Create();
        await client.RolloverKeyAsync(newKey, default);
        Assert.Same(newKey, client.Key);

        // The same client, now signing with the new key, can still order.
        Assert.Equal("pending", (await client.NewOrderAsync(["mail.acme.test"], null, default)).Status);
        Assert.Equal(account.Location, (await ca.Client(newKey).FindAccountAsync(default)).Location);
        var gone = await Assert.ThrowsAsync<AcmeException>(() => ca.Client(oldKey).FindAccountAsync(default));
        Assert.Equal("accountDoesNotExist", gone.Problem.Name);
    }

    /// <summary>§6.5: a refused nonce is retried with the fresh one; one the CA refuses every time ends in words.</summary>
    [Theory]
    [InlineData(25)]
    [InlineData(100)]
    public async Task Refused_nonces_are_retried_and_a_CA_that_refuses_them_all_is_reported(int percent)
    {
        await using var pebble = PebbleServer.Reserve();
        await pebble.StartAsync(ca.Dns, ca.Web.Port, ca.TlsPort, nonceRejectPercent: percent);
        using var key = AcmeAccountKey.Create();
        var client = ca.Client(key, pebble);
        if (percent < 100)
        {
            // Several signed requests in a row, each of which pebble may refuse a quarter of the time.
            await client.CreateAccountAsync(["postmaster@acme.test"], true, null, default);
            for (var i = 0; i < 6; i++) Assert.Equal("pending", (await client.NewOrderAsync([$"mail.acme.test"], null, default)).Status);
            return;
        }

        var refused = await Assert.ThrowsAsync<AcmeException>(() => client.CreateAccountAsync(["postmaster@acme.test"], true, null, default));
        Assert.Equal("badNonce", refused.Problem.Name);
        Assert.StartsWith("the CA kept refusing the request's nonce", refused.Problem.Describe());
    }

    /// <summary>§7.3.4: a CA that needs External Account Binding refuses an account without it and accepts the right MAC.</summary>
    [Fact]
    public async Task A_CA_that_needs_external_account_binding_gets_it()
    {
        var mac = RandomNumberGenerator.GetBytes(32);
        await using var pebble = PebbleServer.Reserve();
        await pebble.StartAsync(ca.Dns, ca.Web.Port, ca.TlsPort, externalAccountKeys: new Dictionary<string, string> { ["kid-1"] = Base64Url.EncodeToString(mac) });
        using var key = AcmeAccountKey.Create();
        var client = ca.Client(key, pebble);
        Assert.True((await client.DirectoryAsync(default)).Meta!.ExternalAccountRequired);

        var missing = await Assert.ThrowsAsync<AcmeException>(() => client.CreateAccountAsync(["postmaster@acme.test"], true, null, default));
        Assert.Equal("externalAccountRequired", missing.Problem.Name);
        Assert.StartsWith("the CA needs an external account binding", missing.Problem.Describe());

        var wrong = await Assert.ThrowsAsync<AcmeException>(() => ca.Client(key, pebble).CreateAccountAsync(["postmaster@acme.test"], true, ("kid-1", RandomNumberGenerator.GetBytes(32)), default));
        Assert.NotEqual("externalAccountRequired", wrong.Problem.Name);

        var account = await ca.Client(key, pebble).CreateAccountAsync(["postmaster@acme.test"], true, ("kid-1", mac), default);
        Assert.Equal("valid", account.Status);
    }
}
