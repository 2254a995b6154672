using System.Net;
using MailEngine.Auth.Spf;
using MailEngine.Dns;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Auth.Spf;

/// <summary>
/// check_host() over the zone of RFC 7208 Appendix A (its examples, A.1–A.4), the processing limits
/// of §4.6.4, the record rules of §4.5 and the errors of §2.6.
/// </summary>
public sealed class SpfEvaluatorTests
{
    /// <summary>Appendix A's example.com and example.org, with example.com's policy as given.</summary>
    private static ZoneLookup AppendixA(string exampleComPolicy)
    {
        var zone = new ZoneLookup()
            .Add("example.com", DnsRecordKind.Txt, exampleComPolicy)
            .Add("example.com", DnsRecordKind.A, "192.0.2.10", "192.0.2.11")
            .Add("amy.example.com", DnsRecordKind.A, "192.0.2.65")
            .Add("bob.example.com", DnsRecordKind.A, "192.0.2.66")
            .Add("mail-a.example.com", DnsRecordKind.A, "192.0.2.129")
            .Add("mail-b.example.com", DnsRecordKind.A, "192.0.2.130")
            .Add("www.example.com", DnsRecordKind.A, "192.0.2.10", "192.0.2.11")
            .Add("mail-c.example.org", DnsRecordKind.A, "192.0.2.140")
            .Add("example.com", DnsRecordKind.Mx, "mail-a.example.com", "mail-b.example.com")
            .Add("example.org", DnsRecordKind.Mx, "mail-c.example.org")
            .Add("10.2.0.192.in-addr.arpa", DnsRecordKind.Ptr, "example.com")
            .Add("11.2.0.192.in-addr.arpa", DnsRecordKind.Ptr, "example.com")
            .Add("65.2.0.192.in-addr.arpa", DnsRecordKind.Ptr, "amy.example.com")
            .Add("66.2.0.192.in-addr.arpa", DnsRecordKind.Ptr, "bob.example.com")
            .Add("129.2.0.192.in-addr.arpa", DnsRecordKind.Ptr, "mail-a.example.com")
            .Add("130.2.0.192.in-addr.arpa", DnsRecordKind.Ptr, "mail-b.example.com")
            .Add("140.2.0.192.in-addr.arpa", DnsRecordKind.Ptr, "mail-c.example.org")
            .Add("10.0.0.10.in-addr.arpa", DnsRecordKind.Ptr, "bob.example.com");
        return zone;
    }

    private static async Task<SpfVerdict> CheckAsync(IDnsLookup zone, string ip, string sender = "someone@example.com", string helo = "mx.example.net") =>
        await new SpfEvaluator(zone).CheckMailFromAsync(IPAddress.Parse(ip), sender, helo, CancellationToken.None);

    [Theory]
    // A.1 simple examples
    [InlineData("v=spf1 +all", "192.0.2.200", SpfResult.Pass)]
    [InlineData("v=spf1 a -all", "192.0.2.10", SpfResult.Pass)]
    [InlineData("v=spf1 a -all", "192.0.2.65", SpfResult.Fail)]
    [InlineData("v=spf1 a:example.org -all", "192.0.2.10", SpfResult.Fail)]
    [InlineData("v=spf1 mx -all", "192.0.2.129", SpfResult.Pass)]
    [InlineData("v=spf1 mx -all", "192.0.2.130", SpfResult.Pass)]
    [InlineData("v=spf1 mx -all", "192.0.2.10", SpfResult.Fail)]
    [InlineData("v=spf1 mx:example.org -all", "192.0.2.140", SpfResult.Pass)]
    [InlineData("v=spf1 mx mx:example.org -all", "192.0.2.140", SpfResult.Pass)]
    [InlineData("v=spf1 mx mx:example.org -all", "192.0.2.130", SpfResult.Pass)]
    [InlineData("v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.131", SpfResult.Pass)]
    [InlineData("v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.143", SpfResult.Pass)]
    [InlineData("v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.144", SpfResult.Fail)]
    [InlineData("v=spf1 ptr -all", "192.0.2.65", SpfResult.Pass)]
    [InlineData("v=spf1 ptr -all", "192.0.2.140", SpfResult.Fail)]
    [InlineData("v=spf1 ptr -all", "10.0.0.10", SpfResult.Fail)]
    [InlineData("v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.65", SpfResult.Fail)]
    [InlineData("v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.129", SpfResult.Pass)]
    // qualifiers and the default
    [InlineData("v=spf1 ~all", "192.0.2.1", SpfResult.SoftFail)]
    [InlineData("v=spf1 ?all", "192.0.2.1", SpfResult.Neutral)]
    [InlineData("v=spf1 ip4:198.51.100.0/24", "192.0.2.1", SpfResult.Neutral)]
    [InlineData("V=SPF1 IP4:192.0.2.0/24 -ALL", "192.0.2.1", SpfResult.Pass)]
    public async Task Appendix_A_policies_give_the_RFC_s_results(string policy, string ip, SpfResult expected) =>
        Assert.Equal(expected, (await CheckAsync(AppendixA(policy), ip)).Result);

    [Fact]
    public async Task The_verdict_names_the_term_that_matched_and_an_IPv4_mapped_client_is_IPv4()
    {
        var verdict = await CheckAsync(AppendixA("v=spf1 ip6:2001:db8::/32 ip4:192.0.2.128/28 -all"), "::ffff:192.0.2.129");
        Assert.Equal((SpfResult.Pass, "ip4:192.0.2.128/28", "example.com"), (verdict.Result, verdict.Mechanism, verdict.Domain));
        var v6 = await CheckAsync(AppendixA("v=spf1 ip6:2001:db8::/32 -all"), "2001:db8::1");
        Assert.Equal(("pass", "ip6:2001:db8::/32"), (v6.Keyword, v6.Mechanism));
        Assert.Equal(SpfResult.Fail, (await CheckAsync(AppendixA("v=spf1 ip6:2001:db8::/32 -all"), "2001:db9::1")).Result);
    }

    [Fact]
    public async Task Include_passes_on_the_included_pass_only_and_its_errors_are_the_includer_s()
    {
        // A.2: multiple domains.
        var zone = AppendixA("v=spf1 mx -all")
            .Add("example.org", DnsRecordKind.Txt, "v=spf1 include:example.com include:example.net -all")
            .Add("example.net", DnsRecordKind.Txt, "v=spf1 ip4:198.51.100.0/24 ~all")
            .Add("broken.example", DnsRecordKind.Txt, "v=spf1 include:nothing-here.example -all")
            .Add("nothing-here.example", DnsRecordKind.A, "192.0.2.99")
            .Add("flaky.example", DnsRecordKind.Txt, "v=spf1 include:dead.example -all")
            .Fail("dead.example");
        Assert.Equal(SpfResult.Pass, (await CheckAsync(zone, "192.0.2.129", "x@example.org")).Result);
        Assert.Equal(SpfResult.Pass, (await CheckAsync(zone, "198.51.100.7", "x@example.org")).Result);
        // example.net's ~all is "no match" for the include, so example.org's -all decides.
        var fail = await CheckAsync(zone, "203.0.113.5", "x@example.org");
        Assert.Equal((SpfResult.Fail, "-all"), (fail.Result, fail.Mechanism));
        Assert.Equal(SpfResult.PermError, (await CheckAsync(zone, "192.0.2.1", "x@broken.example")).Result);
        Assert.Equal(SpfResult.TempError, (await CheckAsync(zone, "192.0.2.1", "x@flaky.example")).Result);
    }

    [Fact]
    public async Task A_fail_carries_the_exp_explanation_with_its_macros()
    {
        // A.3-style: the explanation names the client and the domain.
        var zone = AppendixA("v=spf1 mx -all exp=explain._spf.%{d}")
            .Add("explain._spf.example.com", DnsRecordKind.Txt, "Mail from %{i} is not allowed for %{d}; see http://%{d}/spf.html");
        var verdict = await CheckAsync(zone, "192.0.2.77");
        Assert.Equal(SpfResult.Fail, verdict.Result);
        Assert.Equal("Mail from 192.0.2.77 is not allowed for example.com; see http://example.com/spf.html", verdict.Explanation);
        Assert.Null((await CheckAsync(zone, "192.0.2.129")).Explanation);
    }

    [Fact]
    public async Task Redirect_applies_when_nothing_matched_and_to_a_domain_without_a_record_is_a_permerror()
    {
        var zone = AppendixA("v=spf1 redirect=_spf.example.com")
            .Add("_spf.example.com", DnsRecordKind.Txt, "v=spf1 ip4:192.0.2.0/25 -all")
            .Add("nowhere.example", DnsRecordKind.Txt, "v=spf1 redirect=missing.example");
        Assert.Equal(SpfResult.Pass, (await CheckAsync(zone, "192.0.2.5")).Result);
        var verdict = await CheckAsync(zone, "192.0.2.200");
        Assert.Equal((SpfResult.Fail, "_spf.example.com"), (verdict.Result, verdict.Domain));
        Assert.Equal(SpfResult.PermError, (await CheckAsync(zone, "192.0.2.5", "x@nowhere.example")).Result);
        // A match before it wins: the redirect is not taken.
        Assert.Equal(SpfResult.Pass, (await CheckAsync(AppendixA("v=spf1 a redirect=missing.example"), "192.0.2.10")).Result);
    }

    [Fact]
    public async Task Exists_with_macros_queries_the_expanded_name()
    {
        var zone = AppendixA("v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all")
            .Add("77.2.0.192.someone._spf.example.com", DnsRecordKind.A, "127.0.0.2");
        Assert.Equal(SpfResult.Pass, (await CheckAsync(zone, "192.0.2.77")).Result);
        Assert.Equal(SpfResult.Fail, (await CheckAsync(zone, "192.0.2.78")).Result);
    }

    [Fact]
    public async Task More_than_ten_DNS_terms_is_a_permerror_and_no_eleventh_is_asked()
    {
        var zone = new ZoneLookup();
        var chain = string.Join(' ', Enumerable.Range(1, 11).Select(i => $"a:h{i}.example"));
        zone.Add("many.example", DnsRecordKind.Txt, $"v=spf1 {chain} -all");
        foreach (var i in Enumerable.Range(1, 11)) zone.Add($"h{i}.example", DnsRecordKind.A, "198.51.100.1");
        var verdict = await CheckAsync(zone, "192.0.2.1", "x@many.example");
        Assert.Equal(SpfResult.PermError, verdict.Result);
        Assert.Contains("more than 10", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(1 + 10, zone.Queries); // the record, then ten A lookups

        // Ten is allowed; the limit spans includes.
        var ten = new ZoneLookup().Add("ten.example", DnsRecordKind.Txt, $"v=spf1 include:inc.example {string.Join(' ', Enumerable.Range(1, 9).Select(i => $"a:h{i}.example"))} -all")
            .Add("inc.example", DnsRecordKind.Txt, "v=spf1 ip4:203.0.113.0/24");
        foreach (var i in Enumerable.Range(1, 9)) ten.Add($"h{i}.example", DnsRecordKind.A, "198.51.100.1");
        Assert.Equal(SpfResult.Fail, (await CheckAsync(ten, "192.0.2.1", "x@ten.example")).Result);
        var eleven = new ZoneLookup().Add("e.example", DnsRecordKind.Txt, $"v=spf1 include:inc.example {string.Join(' ', Enumerable.Range(1, 9).Select(i => $"a:h{i}.example"))} -all")
            .Add("inc.example", DnsRecordKind.Txt, "v=spf1 a:x.example");
        foreach (var i in Enumerable.Range(1, 9)) eleven.Add($"h{i}.example", DnsRecordKind.A, "198.51.100.1");
        eleven.Add("x.example", DnsRecordKind.A, "198.51.100.1");
        Assert.Equal(SpfResult.PermError, (await CheckAsync(eleven, "192.0.2.1", "x@e.example")).Result);
    }

    [Fact]
    public async Task More_than_two_void_lookups_is_a_permerror()
    {
        var zone = new ZoneLookup().Add("void.example", DnsRecordKind.Txt, "v=spf1 a:gone1.example a:gone2.example a:gone3.example -all");
        var verdict = await CheckAsync(zone, "192.0.2.1", "x@void.example");
        Assert.Equal(SpfResult.PermError, verdict.Result);
        Assert.Contains("more than 2 lookups found nothing", verdict.Reason, StringComparison.Ordinal);
        var two = new ZoneLookup().Add("two.example", DnsRecordKind.Txt, "v=spf1 a:gone1.example a:gone2.example -all");
        Assert.Equal(SpfResult.Fail, (await CheckAsync(two, "192.0.2.1", "x@two.example")).Result);
    }

    [Fact]
    public async Task More_than_ten_MX_names_is_a_permerror()
    {
        var zone = new ZoneLookup().Add("bigmx.example", DnsRecordKind.Txt, "v=spf1 mx -all")
            .Add("bigmx.example", DnsRecordKind.Mx, [.. Enumerable.Range(1, 11).Select(i => $"mx{i}.bigmx.example")]);
        Assert.Equal(SpfResult.PermError, (await CheckAsync(zone, "192.0.2.1", "x@bigmx.example")).Result);
    }

    [Theory]
    [InlineData(null, SpfResult.None)]                                                  // no TXT at all (NXDOMAIN)
    [InlineData("not an spf record", SpfResult.None)]
    [InlineData("v=spf10 -all", SpfResult.None)]                                       // not "v=spf1"
    [InlineData("v=spf1 -all|v=spf1 +all", SpfResult.PermError)]                      // two records
    [InlineData("v=spf1 foo:bar -all", SpfResult.PermError)]                          // unknown mechanism
    [InlineData("v=spf1 ip4:192.0.2.300 -all", SpfResult.PermError)]
    [InlineData("v=spf1 ip4:192.0.2.0/33 -all", SpfResult.PermError)]
    [InlineData("v=spf1 ip6:192.0.2.1 -all", SpfResult.PermError)]
    [InlineData("v=spf1 a:example.com/24//129 -all", SpfResult.PermError)]
    [InlineData("v=spf1 include -all", SpfResult.PermError)]
    [InlineData("v=spf1 redirect=a.example redirect=b.example", SpfResult.PermError)]
    [InlineData("v=spf1 exists:%{x}.example -all", SpfResult.PermError)]              // bad macro
    [InlineData("v=spf1 -all unknown-modifier=whatever", SpfResult.Fail)]             // unknown modifiers are ignored
    public async Task Records_that_are_missing_doubled_or_broken_give_none_or_permerror(string? txt, SpfResult expected)
    {
        var zone = new ZoneLookup().Add("other.example", DnsRecordKind.A, "192.0.2.1");
        if (txt is not null) zone.Add("test.example", DnsRecordKind.Txt, txt.Split('|'));
        Assert.Equal(expected, (await CheckAsync(zone, "192.0.2.1", "x@test.example")).Result);
    }

    [Fact]
    public async Task A_DNS_failure_is_a_temperror_and_a_malformed_domain_has_no_policy()
    {
        Assert.Equal(SpfResult.TempError, (await CheckAsync(new ZoneLookup().Fail("down.example"), "192.0.2.1", "x@down.example")).Result);
        var midway = new ZoneLookup().Add("mid.example", DnsRecordKind.Txt, "v=spf1 a:down.example -all").Fail("down.example");
        Assert.Equal(SpfResult.TempError, (await CheckAsync(midway, "192.0.2.1", "x@mid.example")).Result);
        Assert.Equal(SpfResult.None, (await CheckAsync(new ZoneLookup(), "192.0.2.1", "x@localhost")).Result);
    }

    [Fact]
    public async Task The_null_sender_is_checked_as_postmaster_at_the_HELO_name_and_HELO_alone_too()
    {
        var zone = new ZoneLookup().Add("mx.example.net", DnsRecordKind.Txt, "v=spf1 a -all").Add("mx.example.net", DnsRecordKind.A, "192.0.2.25");
        var nullSender = await new SpfEvaluator(zone).CheckMailFromAsync(IPAddress.Parse("192.0.2.25"), "", "mx.example.net", CancellationToken.None);
        Assert.Equal((SpfResult.Pass, "mx.example.net"), (nullSender.Result, nullSender.Domain));
        var helo = await new SpfEvaluator(zone).CheckHeloAsync(IPAddress.Parse("192.0.2.26"), "mx.example.net", CancellationToken.None);
        Assert.Equal(SpfResult.Fail, helo.Result);
    }
}
