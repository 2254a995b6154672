using MailEngine.Addressing;

namespace MailEngine.Tests.Addressing;

/// <summary>
/// The organizational domain by the list's own test cases (publicsuffix.org's test_psl.txt, the
/// "checkPublicSuffix" examples), read against the list Debian installed, plus bad input.
/// </summary>
public sealed class PublicSuffixListTests
{
    private static readonly PublicSuffixList List = PublicSuffixList.System;

    [Theory]
    // Unlisted TLD: the implicit "*" rule.
    [InlineData("example", null)]
    [InlineData("example.example", "example.example")]
    [InlineData("b.example.example", "example.example")]
    // TLD with only one rule.
    [InlineData("biz", null)]
    [InlineData("domain.biz", "domain.biz")]
    [InlineData("a.b.domain.biz", "domain.biz")]
    // TLD with some two-level rules, including a private-section one (uk.com).
    [InlineData("com", null)]
    [InlineData("example.com", "example.com")]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("uk.com", null)]
    [InlineData("example.uk.com", "example.uk.com")]
    [InlineData("b.example.uk.com", "example.uk.com")]
    [InlineData("test.ac", "test.ac")]
    // TLD with only a wildcard rule.
    [InlineData("mm", null)]
    [InlineData("c.mm", null)]
    [InlineData("b.c.mm", "b.c.mm")]
    [InlineData("a.b.c.mm", "b.c.mm")]
    // More complex TLD: rules, wildcards and exceptions.
    [InlineData("jp", null)]
    [InlineData("test.jp", "test.jp")]
    [InlineData("www.test.jp", "test.jp")]
    [InlineData("ac.jp", null)]
    [InlineData("test.ac.jp", "test.ac.jp")]
    [InlineData("kyoto.jp", null)]
    [InlineData("test.kyoto.jp", "test.kyoto.jp")]
    [InlineData("ide.kyoto.jp", null)]
    [InlineData("b.ide.kyoto.jp", "b.ide.kyoto.jp")]
    [InlineData("c.kobe.jp", null)]
    [InlineData("b.c.kobe.jp", "b.c.kobe.jp")]
    [InlineData("city.kobe.jp", "city.kobe.jp")]
    [InlineData("www.city.kobe.jp", "city.kobe.jp")]
    // TLD with a wildcard rule and exceptions.
    [InlineData("ck", null)]
    [InlineData("test.ck", null)]
    [InlineData("b.test.ck", "b.test.ck")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("www.www.ck", "www.ck")]
    // US K12.
    [InlineData("k12.ak.us", null)]
    [InlineData("test.k12.ak.us", "test.k12.ak.us")]
    [InlineData("www.test.k12.ak.us", "test.k12.ak.us")]
    // IDN labels, in A-label and U-label form (the list writes them as U-labels).
    [InlineData("xn--85x722f.com.cn", "xn--85x722f.com.cn")]
    [InlineData("xn--55qx5d.cn", null)]
    [InlineData("公司.cn", null)]
    [InlineData("shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn")]
    [InlineData("shishi.公司.cn", "shishi.xn--55qx5d.cn")]
    // Case and a trailing dot do not matter.
    [InlineData("WWW.Example.COM.", "example.com")]
    public void The_organizational_domain_is_one_label_below_the_public_suffix(string domain, string? expected) =>
        Assert.Equal(expected, List.OrganizationalDomain(domain));

    [Theory]
    [InlineData("mail.example.co.uk", "co.uk")]
    [InlineData("example.tset", "tset")]
    [InlineData("www.city.kobe.jp", "kobe.jp")]
    public void The_public_suffix_is_what_the_prevailing_rule_names(string domain, string expected) =>
        Assert.Equal(expected, List.PublicSuffix(domain));

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("example.xn--p1ai", true)] // .рф
    [InlineData("b.test.ck", true)]       // listed only as a wildcard
    [InlineData("example.tset", false)]   // the typo the group editor warns of
    [InlineData("printer.lan", false)]
    [InlineData("example.test", false)]   // RFC 2606: reserved, never delegated
    public void A_top_level_domain_nobody_delegated_is_noticed(string domain, bool known) =>
        Assert.Equal(known, List.HasKnownTopLevel(domain));

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData(".")]
    public void A_name_that_is_no_domain_is_refused(string domain) =>
        Assert.Throws<ArgumentException>(() => List.OrganizationalDomain(domain));

    [Fact]
    public void A_list_read_from_text_follows_its_own_rules()
    {
        var list = PublicSuffixList.Parse("""
            // a comment
            example
            *.wild.example   trailing text is ignored
            !keep.wild.example
            """);
        Assert.Equal("a.b.wild.example", list.OrganizationalDomain("x.a.b.wild.example"));
        Assert.Equal("keep.wild.example", list.OrganizationalDomain("www.keep.wild.example"));
        Assert.Null(list.OrganizationalDomain("b.wild.example"));
        Assert.True(list.HasKnownTopLevel("a.example"));
        Assert.False(list.HasKnownTopLevel("a.com"));
    }

    [Fact]
    public void An_empty_or_missing_list_is_a_clear_error()
    {
        Assert.Throws<InvalidDataException>(() => PublicSuffixList.Parse("// nothing here\n"));
        var missing = Assert.Throws<FileNotFoundException>(() => PublicSuffixList.Load("/nonexistent/public_suffix_list.dat"));
        Assert.Contains("publicsuffix package", missing.Message);
    }
}
