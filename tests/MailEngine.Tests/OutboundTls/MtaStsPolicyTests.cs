using MailEngine.OutboundTls;

namespace MailEngine.Tests.OutboundTls;

/// <summary>The policy body of RFC 8461 §3.2 and the MX matching of §4.1, from the RFC's example and bad input.</summary>
public sealed class MtaStsPolicyTests
{
    [Fact]
    public void The_RFC_example_policy_is_read()
    {
        // RFC 8461 §3.2, with its CRLF line ends.
        var policy = MtaStsPolicy.Parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n");
        Assert.Equal(MtaStsMode.Enforce, policy.Mode);
        Assert.Equal(["mail.example.com", "*.example.net", "backupmx.example.com"], policy.Mx);
        Assert.Equal(TimeSpan.FromDays(7), policy.MaxAge);
    }

    [Theory]
    [InlineData("mail.example.com", true)]
    [InlineData("MAIL.Example.COM.", true)]
    [InlineData("mx1.example.net", true)]
    [InlineData("example.net", false)] // §4.1: the wildcard stands for exactly one label
    [InlineData("a.b.example.net", false)]
    [InlineData("mail.example.com.evil.test", false)]
    [InlineData("backupmx.example.com", true)]
    public void Exchangers_match_names_and_one_label_wildcards(string host, bool matches)
    {
        var policy = MtaStsPolicy.Parse("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 86400\n");
        Assert.Equal(matches, policy.Matches(host));
    }

    [Fact]
    public void The_first_of_a_repeated_key_counts_unknown_keys_are_ignored_and_max_age_is_capped_at_a_year()
    {
        var policy = MtaStsPolicy.Parse("version: STSv1\nmode: testing\nmode: enforce\nextension: 1\nmx: mx.example.org\nmax_age: 99999999999\n".Replace("99999999999", "9999999999"));
        Assert.Equal(MtaStsMode.Testing, policy.Mode);
        Assert.Equal(MtaStsPolicy.LongestMaxAge, policy.MaxAge);
        Assert.Equal(MtaStsMode.None, MtaStsPolicy.Parse("version: STSv1\nmode: none\nmax_age: 86400\n").Mode);
    }

    [Theory]
    [InlineData("", "no \"version: STSv1\"")]
    [InlineData("version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1\n", "is not STSv1")]
    [InlineData("version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n", "is not enforce, testing or none")]
    [InlineData("version: STSv1\nmx: a.test\nmax_age: 1\n", "no mode")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.test\n", "no max_age")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -5\n", "is not a number of seconds")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 123456789012\n", "is not a number of seconds")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 86400\n", "no mx line")]
    [InlineData("<html><body>policy</body></html>\n", "is not \"key: value\"")]
    public void A_body_that_is_not_a_policy_says_why(string body, string reason)
    {
        var e = Assert.Throws<FormatException>(() => MtaStsPolicy.Parse(body));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }
}
