using System.Net;
using MailEngine.Auth.Spf;

namespace MailEngine.Tests.Auth.Spf;

/// <summary>Macro expansion by the examples of RFC 7208 §7.4, and the syntax errors that make a permerror.</summary>
public sealed class SpfMacroTests
{
    private static readonly SpfMacroContext V4 = new(IPAddress.Parse("192.0.2.3"), "strong-bad@email.example.com", "email.example.com", "mx.example.org");
    private static readonly SpfMacroContext V6 = V4 with { Ip = IPAddress.Parse("2001:db8::cb01") };

    [Theory]
    [InlineData("%{s}", "strong-bad@email.example.com")]
    [InlineData("%{o}", "email.example.com")]
    [InlineData("%{d}", "email.example.com")]
    [InlineData("%{d4}", "email.example.com")]
    [InlineData("%{d3}", "email.example.com")]
    [InlineData("%{d2}", "example.com")]
    [InlineData("%{d1}", "com")]
    [InlineData("%{dr}", "com.example.email")]
    [InlineData("%{d2r}", "example.email")]
    [InlineData("%{l}", "strong-bad")]
    [InlineData("%{l-}", "strong.bad")]
    [InlineData("%{lr}", "strong-bad")]
    [InlineData("%{lr-}", "bad.strong")]
    [InlineData("%{l1r-}", "strong")]
    [InlineData("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com")]
    [InlineData("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com")]
    [InlineData("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com")]
    [InlineData("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net")]
    [InlineData("%{h}", "mx.example.org")]
    [InlineData("%%%_%-", "% %20")]
    public void The_RFC_examples_expand_as_written(string macro, string expected) => Assert.Equal(expected, SpfMacro.Expand(macro, V4));

    [Fact]
    public void An_IPv6_client_is_written_as_nibbles_under_ip6() =>
        Assert.Equal("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com", SpfMacro.Expand("%{ir}.%{v}._spf.%{d2}", V6));

    [Fact]
    public void Upper_case_letters_escape_the_value_and_c_r_t_belong_to_explanations()
    {
        Assert.Equal("strong-bad%40email.example.com", SpfMacro.Expand("%{S}", V4));
        Assert.Null(SpfMacro.Expand("%{c}", V4));
        Assert.Equal("Mail from 192.0.2.3 for example.com at 1700000000",
            SpfMacro.Expand("Mail from %{c} for %{r} at %{t}", V4 with { ReceivingDomain = "example.com", Now = DateTimeOffset.FromUnixTimeSeconds(1700000000) }, explanation: true));
    }

    [Theory]
    [InlineData("%{x}")]
    [InlineData("%{d0}")]
    [InlineData("%{d2q}")]
    [InlineData("%{d")]
    [InlineData("100%")]
    [InlineData("%z")]
    [InlineData("a b")]
    public void A_bad_macro_is_refused(string text) => Assert.Null(SpfMacro.Expand(text, V4));
}
