using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Smtp;

/// <summary>Certificates pushed in the snapshot are chosen by SNI (RFC 6066 3) on the implicit-TLS port.</summary>
public sealed class TlsCertificateTests
{
    private static string Pkcs12(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12));
    }

    private static async Task<string> PresentedSubjectAsync(System.Net.IPEndPoint endpoint, string sni)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(sni);
        return ssl.RemoteCertificate!.Subject;
    }

    [Fact]
    public async Task The_snapshot_certificate_for_the_requested_name_is_presented_and_others_get_the_default()
    {
        var snapshot = TestEngine.StandardSnapshot() with
        {
            Certificates =
            [
                new SnapshotCertificate(["mail.example.test"], Pkcs12("mail.example.test")),
                new SnapshotCertificate(["*.wild.test"], Pkcs12("wildcard.wild.test")),
            ],
        };
        await using var engine = await TestEngine.StartAsync(snapshot);

        Assert.Equal("CN=mail.example.test", await PresentedSubjectAsync(engine.Submissions, "mail.example.test"));
        Assert.Equal("CN=wildcard.wild.test", await PresentedSubjectAsync(engine.Submissions, "smtp.wild.test"));
        Assert.Equal("CN=mx.example.test", await PresentedSubjectAsync(engine.Submissions, "unknown.test"));
    }

    [Fact]
    public void A_certificate_without_its_private_key_makes_the_snapshot_invalid()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=nokey.test", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var publicOnly = Convert.ToBase64String(X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert)).Export(X509ContentType.Pkcs12));
        Assert.Throws<FormatException>(() => new SnapshotIndex(TestEngine.StandardSnapshot() with { Certificates = [new SnapshotCertificate(["nokey.test"], publicOnly)] }));
    }
}
