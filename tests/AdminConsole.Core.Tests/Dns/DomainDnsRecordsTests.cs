using System.Net;
using AdminConsole.Core.Dkim;
using AdminConsole.Core.Dns;

namespace AdminConsole.Core.Tests.Dns;

public sealed class DomainDnsRecordsTests
{
    [Fact]
    public void SPF_lists_the_sending_addresses_when_configured_and_says_mx_otherwise()
    {
        Assert.Equal("v=spf1 mx -all", DomainDnsRecords.Spf(new DnsOptions()));
        Assert.Equal("v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 -all", DomainDnsRecords.Spf(new DnsOptions { SendingAddresses = ["192.0.2.25", " 2001:db8::25 ", "not an address"] }));
    }

    [Theory]
    [InlineData("v=spf1 mx -all", 1)]
    [InlineData("v=spf1 ip4:192.0.2.1 -all", 0)]
    [InlineData("v=spf1 a mx include:a.example include:b.example exists:%{i}.x.example ptr redirect=c.example", 7)]
    [InlineData("v=spf1 +a:mail.example ~mx/24 -include:x.example", 3)]
    public void SPF_lookups_are_counted_as_RFC_7208_4_6_4_counts_them(string record, int lookups) =>
        Assert.Equal(lookups, DomainDnsRecords.SpfLookups(record));

    [Fact]
    public void Reverse_names_are_in_addr_arpa_and_ip6_arpa_nibbles()
    {
        Assert.Equal("25.2.0.192.in-addr.arpa", DomainDnsRecords.ReverseName(IPAddress.Parse("192.0.2.25")));
        Assert.Equal("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", DomainDnsRecords.ReverseName(IPAddress.Parse("2001:db8::25")));
    }

    [Fact]
    public void PTR_advice_is_outside_the_zone_and_the_export_leaves_it_as_a_comment()
    {
        var records = DomainDnsRecords.For("example.test", [], new DnsOptions { SendingAddresses = ["192.0.2.25"] }, "mx.example.test");
        var ptr = Assert.Single(records, r => r.Type == "PTR");
        Assert.False(ptr.InZone);
        Assert.Equal("mx.example.test.", ptr.Value);
        var zone = ZoneFile.Write("example.test", records, 300);
        Assert.Contains("; outside this zone: 25.2.0.192.in-addr.arpa. PTR mx.example.test.", zone, StringComparison.Ordinal);
        Assert.Contains("@\tIN\tMX\t10 mx.example.test.", zone, StringComparison.Ordinal);
        Assert.Contains("_dmarc\tIN\tTXT\t\"v=DMARC1;", zone, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_TXT_values_are_split_into_strings_of_at_most_255_bytes_and_quotes_are_escaped()
    {
        var value = new string('k', 600);
        Assert.Equal($"( \"{new string('k', 255)}\" \"{new string('k', 255)}\" \"{new string('k', 90)}\" )", ZoneFile.Quoted(value));
        Assert.Equal("\"say \\\"hi\\\" \\\\ bye\"", ZoneFile.Quoted("say \"hi\" \\ bye"));
        Assert.Equal("\"\"", ZoneFile.Quoted(""));
    }

    [Fact]
    public void Each_DKIM_key_gets_its_record_and_a_purpose_that_says_where_it_is_in_a_rotation()
    {
        DkimKeyView Key(string selector, DkimKeyState state) => new(selector, DkimAlgorithm.Rsa, state, $"{selector}._domainkey.example.test", "v=DKIM1; k=rsa; p=AAAA", DateTimeOffset.UnixEpoch);
        var records = DomainDnsRecords.For("example.test",
            [Key("202612r", DkimKeyState.Active), Key("202706r", DkimKeyState.Pending), Key("202606r", DkimKeyState.Retiring), Key("202512r", DkimKeyState.Retired)], new DnsOptions(), "mx.example.test");
        DnsRecord Of(string selector) => Assert.Single(records, r => r.Name.StartsWith(selector + ".", StringComparison.Ordinal));
        Assert.Contains("receivers verify", Of("202612r").Purpose, StringComparison.Ordinal);
        Assert.Contains("publish it before it signs", Of("202706r").Purpose, StringComparison.Ordinal);
        Assert.Contains("keep it published", Of("202606r").Purpose, StringComparison.Ordinal);
        Assert.Contains("delete this record", Of("202512r").Purpose, StringComparison.Ordinal);
        Assert.Equal([false, false, false, true], new[] { "202612r", "202706r", "202606r", "202512r" }.Select(s => Of(s).Obsolete));

        // The zone export leaves the record to delete out, saying so.
        var zone = ZoneFile.Write("example.test", records, 3600);
        Assert.Contains("; delete: 202512r._domainkey.example.test. TXT", zone, StringComparison.Ordinal);
        Assert.DoesNotContain("202512r._domainkey\tIN", zone, StringComparison.Ordinal);
        Assert.Contains("202606r._domainkey\tIN\tTXT", zone, StringComparison.Ordinal);
    }

    [Fact]
    public void The_MTA_STS_policy_id_changes_with_the_policy_and_is_what_RFC_8461_allows()
    {
        var id = MtaStsPolicy.Id(MtaStsMode.Testing, "mx.example.test");
        Assert.Matches("^[0-9a-f]{1,32}$", id);
        Assert.NotEqual(id, MtaStsPolicy.Id(MtaStsMode.Testing, "mx2.example.test"));
        Assert.NotEqual(id, MtaStsPolicy.Id(MtaStsMode.Enforce, "mx.example.test"));
        Assert.Equal("version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n", MtaStsPolicy.Text(MtaStsMode.Enforce, "mx.example.test"));
    }
}
