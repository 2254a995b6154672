using MailEngine.Auth;
using MailEngine.Auth.Dkim;
using MailEngine.Auth.Dmarc;
using MailEngine.Auth.Dmarc.Reports;
using MailEngine.Auth.Spf;

namespace MailEngine.Tests.Auth.Dmarc;

/// <summary>
/// What an aggregate report row says we did (RFC 7489 Appendix C, PolicyOverrideType): the policy's
/// disposition, or less with the reason (sampled_out by pct=, trusted_forwarder by an ARC seal,
/// local_policy by the receiving domain's setting); no row without rua=; source addresses in the
/// schema's form.
/// </summary>
public sealed class DmarcObservationTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static AuthenticationReport Report(string record, DmarcPolicy disposition, DmarcResult result = DmarcResult.Fail)
    {
        Assert.True(DmarcRecord.TryParse(record, out var parsed, out var error), error);
        var dmarc = new DmarcVerdict(result, "bank.test", "neither aligned", parsed.Policy, disposition, false, false, "bank.test", parsed);
        return new AuthenticationReport("mx.example.test", "ceo@bank.test", "client.test",
            new SpfVerdict(SpfResult.Fail, "bank.test", "-all", "not allowed"), null,
            [new DkimSignatureVerdict(DkimResult.Fail, "bank.test", "s1", "rsa-sha256", "altered")], dmarc);
    }

    [Fact]
    public void The_disposition_is_what_we_did_and_doing_less_says_why()
    {
        var full = DmarcObservations.Of(Report("v=DMARC1; p=reject; rua=mailto:d@bank.test", DmarcPolicy.Reject), "192.0.2.7", "example.test", DmarcPolicy.Reject, null, At)!;
        Assert.Equal(("reject", null), (full.Disposition, full.Override));
        Assert.Equal(("bank.test", "reject", "reject", 100, "0"), (full.Published.Domain, full.Published.P, full.Published.Sp, full.Published.Pct, full.Published.Fo));
        Assert.Equal(("bank.test", "mfrom", "fail"), (full.Spf.Domain, full.Spf.Scope, full.Spf.Result));
        Assert.Equal("bank.test", full.EnvelopeFrom);

        var sampled = DmarcObservations.Of(Report("v=DMARC1; p=reject; pct=20; rua=mailto:d@bank.test", DmarcPolicy.Quarantine), "192.0.2.7", "example.test", DmarcPolicy.Quarantine, null, At)!;
        Assert.Equal(("quarantine", "sampled_out", "pct=20"), (sampled.Disposition, sampled.Override, sampled.OverrideComment));

        var forwarded = DmarcObservations.Of(Report("v=DMARC1; p=reject; rua=mailto:d@bank.test", DmarcPolicy.Reject), "192.0.2.7", "example.test", DmarcPolicy.None, "lists.test", At)!;
        Assert.Equal(("none", "trusted_forwarder"), (forwarded.Disposition, forwarded.Override));
        Assert.Contains("lists.test", forwarded.OverrideComment, StringComparison.Ordinal);

        var local = DmarcObservations.Of(Report("v=DMARC1; p=reject; rua=mailto:d@bank.test", DmarcPolicy.Reject), "192.0.2.7", "example.test", DmarcPolicy.Quarantine, null, At)!;
        Assert.Equal(("quarantine", "local_policy"), (local.Disposition, local.Override));

        var passed = DmarcObservations.Of(Report("v=DMARC1; p=reject; rua=mailto:d@bank.test", DmarcPolicy.None, DmarcResult.Pass), "192.0.2.7", "example.test", DmarcPolicy.None, null, At)!;
        Assert.Null(passed.Override);
    }

    [Fact]
    public void A_domain_that_asks_for_no_reports_gets_no_row()
    {
        Assert.Null(DmarcObservations.Of(Report("v=DMARC1; p=reject", DmarcPolicy.Reject), "192.0.2.7", "example.test", DmarcPolicy.Reject, null, At));
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8::1", "2001:db8:0:0:0:0:0:1")]
    public void Source_addresses_take_the_schemas_form(string address, string expected) =>
        Assert.Equal(expected, DmarcAggregateReport.SourceIp(address));

    [Fact]
    public void The_store_keeps_a_day_skips_a_torn_line_and_remembers_what_was_sent()
    {
        var folder = Directory.CreateTempSubdirectory("dmarc-store").FullName;
        try
        {
            var store = new DmarcObservationStore(folder);
            var observation = DmarcObservations.Of(Report("v=DMARC1; p=reject; rua=mailto:d@bank.test", DmarcPolicy.Reject), "192.0.2.7", "example.test", DmarcPolicy.Reject, null, At)!;
            store.Record(observation);
            store.Record(observation with { SourceIp = "192.0.2.8" });
            File.AppendAllText(Path.Combine(folder, "2026-12-02.jsonl"), "{\"at\":\"2026-12-02T10:00:00+00:00\",\"sourc"); // a crash mid-line

            var day = new DateOnly(2026, 12, 2);
            Assert.Equal(["192.0.2.7", "192.0.2.8"], store.Read(day).Select(o => o.SourceIp));
            Assert.Empty(store.Read(day.AddDays(1)));
            Assert.False(store.WasSent(day, "bank.test"));
            store.MarkSent(day, "bank.test");
            store.MarkSent(day, "shop.test");
            Assert.True(new DmarcObservationStore(folder).WasSent(day, "BANK.test"));
            Assert.False(store.WasSent(day.AddDays(1), "bank.test"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
