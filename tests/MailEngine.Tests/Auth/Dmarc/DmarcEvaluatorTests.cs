using MailEngine.Addressing;
using MailEngine.Auth.Dkim;
using MailEngine.Auth.Dmarc;
using MailEngine.Auth.Spf;
using MailEngine.Dns;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.Auth.Dmarc;

/// <summary>
/// DMARC (RFC 7489) over a written zone and Debian's Public Suffix List: policy discovery at the From
/// domain and its organizational domain, relaxed and strict alignment, sp=, np=, pct= and t=, bad
/// records (§6.6.3), DNS failures.
/// </summary>
public sealed class DmarcEvaluatorTests
{
    private static readonly PublicSuffixList Suffixes = PublicSuffixList.System;

    private static SpfVerdict Spf(SpfResult result, string domain) => new(result, domain, null, "test");

    private static DkimSignatureVerdict Dkim(DkimResult result, string domain, bool testing = false) => new(result, domain, "s1", "rsa-sha256", "test", testing);

    private static Task<DmarcVerdict> EvaluateAsync(ZoneLookup zone, string from, SpfVerdict? spf, string? spfDomain, params DkimSignatureVerdict[] dkim) =>
        new DmarcEvaluator(zone, Suffixes, () => 50).EvaluateAsync(from, spf, spfDomain, dkim, CancellationToken.None);

    [Fact]
    public async Task Aligned_SPF_or_DKIM_passes_and_names_what_aligned()
    {
        var zone = new ZoneLookup().Add("_dmarc.example.com", DnsRecordKind.Txt, "v=DMARC1; p=reject");
        var spf = await EvaluateAsync(zone, "example.com", Spf(SpfResult.Pass, "bounces.example.com"), "bounces.example.com");
        Assert.Equal(DmarcResult.Pass, spf.Result);
        Assert.True(spf.SpfAligned);
        Assert.False(spf.DkimAligned);
        Assert.Equal(DmarcPolicy.Reject, spf.Policy);
        Assert.Equal(DmarcPolicy.None, spf.Disposition);
        Assert.Equal("p=reject dis=none", spf.Comment);

        var dkim = await EvaluateAsync(zone, "example.com", Spf(SpfResult.Fail, "elsewhere.test"), "elsewhere.test", Dkim(DkimResult.Fail, "example.com"), Dkim(DkimResult.Pass, "mail.example.com"));
        Assert.Equal(DmarcResult.Pass, dkim.Result);
        Assert.True(dkim.DkimAligned);
        Assert.Contains("DKIM (mail.example.com)", dkim.Reason);
    }

    [Fact]
    public async Task A_spoofed_From_fails_with_the_domains_policy_as_disposition()
    {
        var zone = new ZoneLookup().Add("_dmarc.example.com", DnsRecordKind.Txt, "v=DMARC1; p=reject; rua=mailto:dmarc@example.com");
        var verdict = await EvaluateAsync(zone, "example.com", Spf(SpfResult.Pass, "attacker.test"), "attacker.test", Dkim(DkimResult.Pass, "attacker.test"));
        Assert.Equal(DmarcResult.Fail, verdict.Result);
        Assert.Equal(DmarcPolicy.Reject, verdict.Disposition);
        Assert.Equal("example.com", verdict.PolicyDomain);
        Assert.Contains("attacker.test, which is not aligned", verdict.Reason);
        Assert.Equal("dmarc@example.com", Assert.Single(verdict.Record!.AggregateReports).Mailbox);
    }

    [Fact]
    public async Task Strict_alignment_wants_the_same_name_and_relaxed_the_same_organizational_domain()
    {
        var zone = new ZoneLookup().Add("_dmarc.example.co.uk", DnsRecordKind.Txt, "v=DMARC1; p=quarantine; adkim=s; aspf=s");
        var strict = await EvaluateAsync(zone, "example.co.uk", Spf(SpfResult.Pass, "mail.example.co.uk"), "mail.example.co.uk", Dkim(DkimResult.Pass, "news.example.co.uk"));
        Assert.Equal(DmarcResult.Fail, strict.Result);
        Assert.Equal(DmarcPolicy.Quarantine, strict.Disposition);

        var evaluator = new DmarcEvaluator(zone, Suffixes);
        // co.uk is a public suffix: other.co.uk is another organization, not a relative.
        Assert.False(evaluator.Aligned("other.co.uk", "example.co.uk", DmarcAlignment.Relaxed));
        Assert.True(evaluator.Aligned("a.b.example.co.uk", "example.co.uk", DmarcAlignment.Relaxed));
        Assert.True(evaluator.Aligned("EXAMPLE.co.uk.", "example.co.uk", DmarcAlignment.Strict));
        // A private-section suffix of the list (blogspot.com) separates its customers too.
        Assert.False(evaluator.Aligned("alice.blogspot.com", "bob.blogspot.com", DmarcAlignment.Relaxed));
    }

    [Fact]
    public async Task A_subdomain_takes_sp_from_the_organizational_domain_and_its_own_record_when_it_has_one()
    {
        var zone = new ZoneLookup()
            .Add("_dmarc.example.org", DnsRecordKind.Txt, "v=DMARC1; p=reject; sp=quarantine")
            .Add("news.example.org", DnsRecordKind.A, "192.0.2.1")
            .Add("_dmarc.own.example.org", DnsRecordKind.Txt, "v=DMARC1; p=none");
        var sub = await EvaluateAsync(zone, "news.example.org", null, null);
        Assert.Equal(DmarcResult.Fail, sub.Result);
        Assert.Equal(DmarcPolicy.Quarantine, sub.Policy);
        Assert.Equal("example.org", sub.PolicyDomain);

        var own = await EvaluateAsync(zone, "own.example.org", null, null);
        Assert.Equal(DmarcPolicy.None, own.Policy);
        Assert.Equal("own.example.org", own.PolicyDomain);

        // No sp=: a subdomain gets p=.
        var plain = new ZoneLookup().Add("_dmarc.example.net", DnsRecordKind.Txt, "v=DMARC1; p=reject").Add("x.example.net", DnsRecordKind.A, "192.0.2.1");
        Assert.Equal(DmarcPolicy.Reject, (await EvaluateAsync(plain, "x.example.net", null, null)).Policy);
    }

    [Fact]
    public async Task DMARCbis_np_applies_to_a_From_domain_that_does_not_exist()
    {
        var zone = new ZoneLookup()
            .Add("_dmarc.example.org", DnsRecordKind.Txt, "v=DMARC1; p=none; sp=none; np=reject")
            .Add("real.example.org", DnsRecordKind.Mx, "mx.example.org");
        Assert.Equal(DmarcPolicy.Reject, (await EvaluateAsync(zone, "made-up.example.org", null, null)).Disposition);
        // real.example.org exists (it has an MX and no A: "no records", not "no such domain").
        Assert.Equal(DmarcPolicy.None, (await EvaluateAsync(zone, "real.example.org", null, null)).Disposition);
    }

    [Theory]
    [InlineData("v=DMARC1; p=reject; pct=40", 50, DmarcPolicy.Quarantine)] // outside the sample: one lower
    [InlineData("v=DMARC1; p=reject; pct=60", 50, DmarcPolicy.Reject)]
    [InlineData("v=DMARC1; p=quarantine; pct=0", 0, DmarcPolicy.None)]
    [InlineData("v=DMARC1; p=reject; t=y", 0, DmarcPolicy.Quarantine)] // DMARCbis testing mode
    [InlineData("v=DMARC1; p=reject; pct=101", 99, DmarcPolicy.Reject)] // a bad pct= is read as 100
    public async Task Pct_and_t_sample_the_policy(string record, int draw, DmarcPolicy disposition)
    {
        var zone = new ZoneLookup().Add("_dmarc.example.com", DnsRecordKind.Txt, record);
        var verdict = await new DmarcEvaluator(zone, Suffixes, () => draw).EvaluateAsync("example.com", null, null, [], CancellationToken.None);
        Assert.Equal(DmarcResult.Fail, verdict.Result);
        Assert.Equal(disposition, verdict.Disposition);
    }

    [Fact]
    public async Task No_record_several_records_and_DNS_failures_are_none_none_and_temperror()
    {
        Assert.Equal(DmarcResult.None, (await EvaluateAsync(new ZoneLookup(), "example.com", null, null)).Result);
        var other = new ZoneLookup().Add("_dmarc.example.com", DnsRecordKind.Txt, "v=spf1 -all", "google-site-verification=abc");
        Assert.Equal(DmarcResult.None, (await EvaluateAsync(other, "example.com", null, null)).Result);
        var two = new ZoneLookup().Add("_dmarc.example.com", DnsRecordKind.Txt, "v=DMARC1; p=reject", "v=DMARC1; p=none");
        var several = await EvaluateAsync(two, "example.com", null, null);
        Assert.Equal(DmarcResult.None, several.Result);
        Assert.Contains("2 DMARC records", several.Reason);
        var failing = await EvaluateAsync(new ZoneLookup().Fail("_dmarc.example.com"), "example.com", null, null);
        Assert.Equal(DmarcResult.TempError, failing.Result);
    }

    [Fact]
    public async Task A_DKIM_key_in_testing_mode_does_not_align()
    {
        // RFC 6376 §3.6.1 t=y: treat the mail as unsigned.
        var zone = new ZoneLookup().Add("_dmarc.example.com", DnsRecordKind.Txt, "v=DMARC1; p=reject");
        Assert.Equal(DmarcResult.Fail, (await EvaluateAsync(zone, "example.com", null, null, Dkim(DkimResult.Pass, "example.com", testing: true))).Result);
    }

    [Theory]
    [InlineData("v=DMARC1; p=reject", DmarcPolicy.Reject)]
    [InlineData("v=DMARC1;p=Quarantine;", DmarcPolicy.Quarantine)]
    [InlineData("v = DMARC1 ; p = none ; foo=bar", DmarcPolicy.None)] // spaces around =, unknown tags ignored
    [InlineData("v=DMARC1; p=bogus; rua=mailto:r@example.com", DmarcPolicy.None)] // §6.6.3: rua= makes it p=none
    [InlineData("v=DMARC1; rua=mailto:r@example.com", DmarcPolicy.None)]
    public void Records_parse_as_RFC_7489_6_3_reads_them(string text, DmarcPolicy policy)
    {
        Assert.True(DmarcRecord.TryParse(text, out var record, out var error), error);
        Assert.Equal(policy, record.Policy);
    }

    [Theory]
    [InlineData("p=reject; v=DMARC1", "does not begin with v=DMARC1")] // v= must be first
    [InlineData("v=DMARC2; p=reject", "does not begin with v=DMARC1")]
    [InlineData("v=DMARC1; p=bogus", "p=bogus is not none, quarantine or reject")]
    [InlineData("v=DMARC1", "no p=")]
    [InlineData("v=DMARC1; p=reject; garbage", "not a tag=value pair")]
    public void Bad_records_say_why(string text, string why)
    {
        Assert.False(DmarcRecord.TryParse(text, out _, out var error));
        Assert.Contains(why, error);
    }

    [Fact]
    public void Report_addresses_carry_their_size_limits_and_bad_ones_are_dropped_with_a_warning()
    {
        Assert.True(DmarcRecord.TryParse("v=DMARC1; p=none; rua=mailto:a@example.com!10m, mailto:b@example.net, mailto:c@example.org!5x, nonsense; ruf=mailto:f@example.com!512k; fo=1", out var record, out _));
        Assert.Equal([("a@example.com", (long?)10 * 1024 * 1024), ("b@example.net", null)], record.AggregateReports.Select(u => (u.Mailbox!, u.MaxBytes)));
        Assert.Equal(512 * 1024, Assert.Single(record.FailureReports).MaxBytes);
        Assert.Equal("1", record.FailureOptions);
        Assert.Equal(2, record.Warnings.Count);
    }

    [Fact]
    public async Task A_bad_record_at_the_From_domain_is_permerror()
    {
        var zone = new ZoneLookup().Add("_dmarc.example.com", DnsRecordKind.Txt, "v=DMARC1; p=maybe");
        var verdict = await EvaluateAsync(zone, "example.com", null, null);
        Assert.Equal(DmarcResult.PermError, verdict.Result);
        Assert.Contains("p=maybe", verdict.Reason);
    }
}
