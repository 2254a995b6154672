using System.Security.Cryptography.X509Certificates;
using MailEngine.OutboundTls;

namespace MailEngine.Tests.OutboundTls;

/// <summary>RFC 7672 §3.1 checks of a presented chain against TLSA records, with certificates made in the test.</summary>
public sealed class DaneAuthenticationTests : IDisposable
{
    private readonly TestCertificates _ca = new("DANE Test TA");

    public void Dispose() => _ca.Dispose();

    [Fact]
    public void TLSA_records_are_read_in_presentation_form_and_the_unusable_ones_are_known()
    {
        var record = TlsaAssociation.Parse("3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6");
        Assert.NotNull(record);
        Assert.True(record.Usable);
        Assert.Equal(32, record.Data.Length);
        // PKIX-TA(0) and PKIX-EE(1) are not for SMTP (§3.1.3); nor an undefined matching type.
        Assert.False(TlsaAssociation.Parse("1 1 1 0C72AC70")!.Usable);
        Assert.False(TlsaAssociation.Parse("0 0 1 0C72AC70")!.Usable);
        Assert.False(TlsaAssociation.Parse("3 1 7 0C72AC70")!.Usable);
        Assert.Null(TlsaAssociation.Parse("3 1 1 not-hex"));
        Assert.Null(TlsaAssociation.Parse("3 1"));
        Assert.Null(TlsaAssociation.Parse("300 1 1 AB"));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(0, 0)]
    public void DANE_EE_matches_the_server_certificate_whatever_its_names_and_dates(int selector, int matching)
    {
        // Expired and for another name: DANE-EE does not care (§3.1.1).
        using var leaf = _ca.Issue(DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(-1), "some.other.name");
        var record = new TlsaAssociation(3, selector, matching, TlsaAssociation.Of(leaf, selector, matching));
        Assert.Null(DaneAuthentication.Verify([record], leaf, [leaf], ["mx.example.test"], DateTimeOffset.UtcNow));

        using var other = _ca.Issue("mx.example.test");
        Assert.Contains("no TLSA record matches", DaneAuthentication.Verify([record], other, [other], ["mx.example.test"], DateTimeOffset.UtcNow), StringComparison.Ordinal);
    }

    [Fact]
    public void DANE_TA_needs_the_chain_to_the_anchor_a_reference_name_and_dates()
    {
        var anchor = new TlsaAssociation(2, 1, 1, TlsaAssociation.Of(_ca.Authority, 1, 1));
        var authority = X509CertificateLoader.LoadCertificate(_ca.Authority.RawData);
        var now = DateTimeOffset.UtcNow;

        using var good = _ca.Issue("mx.example.test");
        Assert.Null(DaneAuthentication.Verify([anchor], good, [good, authority], ["mx.example.test"], now));
        // The next-hop domain is a reference name too when the MX answer was secure.
        using var byDomain = _ca.Issue("example.test");
        Assert.Null(DaneAuthentication.Verify([anchor], byDomain, [byDomain, authority], ["mx.example.test", "example.test"], now));

        Assert.Contains("names none of mx.example.test", DaneAuthentication.Verify([anchor], byDomain, [byDomain, authority], ["mx.example.test"], now), StringComparison.Ordinal);
        using var expired = _ca.Issue(now.AddYears(-2), now.AddYears(-1), "mx.example.test");
        Assert.Contains("does not lead to the DANE-TA anchor", DaneAuthentication.Verify([anchor], expired, [expired, authority], ["mx.example.test"], now), StringComparison.Ordinal);

        // Issued by another authority: the anchor is not in the chain at all.
        using var stranger = new TestCertificates("Someone Else");
        using var foreign = stranger.Issue("mx.example.test");
        Assert.Contains("no TLSA record matches", DaneAuthentication.Verify([anchor], foreign, [foreign, X509CertificateLoader.LoadCertificate(stranger.Authority.RawData)], ["mx.example.test"], now), StringComparison.Ordinal);
        // The anchor's record alone, with the anchor not sent by the server: not authenticated.
        Assert.NotNull(DaneAuthentication.Verify([anchor], good, [good], ["mx.example.test"], now));
    }
}
