using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Smtp;

/// <summary>
/// Certificates pushed in the snapshot: chosen by SNI (RFC 6066 3), the host name's for clients that
/// send none, sent with their intermediates, and replaced for new connections when a new snapshot
/// arrives while a session under way keeps its own.
/// </summary>
public sealed class TlsCertificateTests
{
    /// <summary>A root, an intermediate under it, and leaves issued by the intermediate, as a CA would.</summary>
    private sealed class TestCa : IDisposable
    {
        private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public TestCa()
        {
            var root = new CertificateRequest("CN=Test Root", _rootKey, HashAlgorithmName.SHA256);
            root.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            root.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            root.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(root.PublicKey, false));
            Root = root.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddYears(1));
            var intermediate = new CertificateRequest("CN=Test Intermediate", _intermediateKey, HashAlgorithmName.SHA256);
            intermediate.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            intermediate.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            intermediate.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediate.PublicKey, false));
            intermediate.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
            Intermediate = intermediate.Create(Root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), [1, 2, 3]).CopyWithPrivateKey(_intermediateKey);
        }

        public X509Certificate2 Root { get; }
        public X509Certificate2 Intermediate { get; }

        public SnapshotCertificate Issue(string subject, params string[] names)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in names) san.AddDnsName(name);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
            using var leaf = request.Create(Intermediate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8));
            return new SnapshotCertificate(names, leaf.ExportCertificatePem() + "\n" + Intermediate.ExportCertificatePem() + "\n", Convert.ToBase64String(key.ExportPkcs8PrivateKey()));
        }

        public void Dispose()
        {
            Root.Dispose();
            Intermediate.Dispose();
            _rootKey.Dispose();
            _intermediateKey.Dispose();
        }
    }

    private sealed record Presented(string Subject, bool SentIntermediate, bool TrustedByRoot);

    /// <summary>What a client that trusts only the test root sees: the leaf's subject, the certificates sent, and whether the chain builds.</summary>
    private static async Task<Presented> PresentedAsync(System.Net.IPEndPoint endpoint, string? sni, X509Certificate2 root)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        var sentIntermediate = false;
        var trusted = false;
        await using var ssl = new SslStream(tcp.GetStream(), false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            // No SNI when the target host is empty.
            TargetHost = sni ?? "",
            RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
            {
                using var build = new X509Chain();
                build.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                build.ChainPolicy.CustomTrustStore.Add(root);
                build.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                // Only what the server sent: the chain's extra store is the handshake's certificates.
                sentIntermediate = chain!.ChainPolicy.ExtraStore.Any(c => c.Subject == "CN=Test Intermediate");
                build.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
                trusted = build.Build(X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData()));
                return true;
            },
        });
        return new Presented(ssl.RemoteCertificate!.Subject, sentIntermediate, trusted);
    }

    [Fact]
    public async Task The_certificate_for_the_requested_name_is_presented_with_its_intermediate_and_others_get_the_host_names()
    {
        using var ca = new TestCa();
        var snapshot = TestEngine.StandardSnapshot() with
        {
            Certificates = [ca.Issue("mail.example.test", "mail.example.test"), ca.Issue("wildcard.wild.test", "*.wild.test")],
        };
        await using var engine = await TestEngine.StartAsync(snapshot);

        var mail = await PresentedAsync(engine.Submissions, "mail.example.test", ca.Root);
        Assert.Equal("CN=mail.example.test", mail.Subject);
        Assert.True(mail.TrustedByRoot);
        Assert.True(mail.SentIntermediate, "the intermediate was not sent");
        Assert.Equal("CN=wildcard.wild.test", (await PresentedAsync(engine.Submissions, "smtp.wild.test", ca.Root)).Subject);
        // Neither a name of ours nor a snapshot certificate for the host name: the node's own (self-signed).
        Assert.Equal("CN=mx.example.test", (await PresentedAsync(engine.Submissions, "unknown.test", ca.Root)).Subject);
        Assert.False((await PresentedAsync(engine.Imaps, null, ca.Root)).TrustedByRoot);

        // With a certificate for the host name (mx.example.test), clients that send no SNI get it.
        engine.Host.Apply(snapshot with { Version = 2, Certificates = [.. snapshot.Certificates, ca.Issue("mx issued", "mx.example.test")] });
        var noSni = await PresentedAsync(engine.Imaps, null, ca.Root);
        Assert.Equal("CN=mx issued", noSni.Subject);
        Assert.True(noSni.TrustedByRoot);
        Assert.Equal("CN=mx issued", (await PresentedAsync(engine.Submissions, "unknown.test", ca.Root)).Subject);
    }

    /// <summary>A renewed certificate in the next snapshot is used by the next connection; a session under way is not cut.</summary>
    [Fact]
    public async Task A_new_certificate_reaches_new_connections_without_a_restart_and_sessions_under_way_go_on()
    {
        using var ca = new TestCa();
        var snapshot = TestEngine.StandardSnapshot() with { Certificates = [ca.Issue("first", "mail.example.test")] };
        await using var engine = await TestEngine.StartAsync(snapshot);
        Assert.Equal("CN=first", (await PresentedAsync(engine.Submissions, "mail.example.test", ca.Root)).Subject);

        using var open = new MailKit.Net.Smtp.SmtpClient();
        open.ServerCertificateValidationCallback = (_, _, _, _) => true;
        await open.ConnectAsync("127.0.0.1", engine.Submission.Port, MailKit.Security.SecureSocketOptions.StartTls);

        engine.Host.Apply(snapshot with { Version = 2, Certificates = [ca.Issue("renewed", "mail.example.test")] });
        Assert.Equal("CN=renewed", (await PresentedAsync(engine.Submissions, "mail.example.test", ca.Root)).Subject);
        await open.NoOpAsync();
        await open.DisconnectAsync(true);
    }

    [Fact]
    public void A_certificate_whose_key_does_not_match_or_is_missing_makes_the_snapshot_invalid()
    {
        using var ca = new TestCa();
        var one = ca.Issue("one", "one.test");
        var other = ca.Issue("other", "other.test");
        var mismatched = Assert.Throws<FormatException>(() => new SnapshotIndex(TestEngine.StandardSnapshot() with { Certificates = [one with { PrivateKey = other.PrivateKey }] }));
        Assert.Contains("one.test", mismatched.Message);
        Assert.Throws<FormatException>(() => new SnapshotIndex(TestEngine.StandardSnapshot() with { Certificates = [one with { PrivateKey = "" }] }));
        Assert.Throws<FormatException>(() => new SnapshotIndex(TestEngine.StandardSnapshot() with { Certificates = [one with { ChainPem = "" }] }));
    }
}
