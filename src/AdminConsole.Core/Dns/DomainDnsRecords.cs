using System.Net;
using System.Net.Sockets;
using AdminConsole.Core.Dkim;

namespace AdminConsole.Core.Dns;

/// <summary>
/// Every record a domain needs, computed from its settings, its DKIM keys and the host names of this
/// installation: what the DNS page lists, the live check compares and the zone export writes.
/// </summary>
public static class DomainDnsRecords
{
    /// <summary>RFC 7208 §4.6.4: more DNS lookups than this make SPF a permerror.</summary>
    public const int SpfLookupLimit = 10;

    public static IReadOnlyList<DnsRecord> For(string domain, IEnumerable<DkimKeyView> dkimKeys, DnsOptions options, string mailHost, MtaStsMode mtaSts = MtaStsMode.Testing, DmarcPolicy dmarc = DmarcPolicy.None)
    {
        var consoleHost = options.ConsoleHostOr(mailHost);
        var records = new List<DnsRecord>
        {
            new(domain, "MX", $"10 {mailHost}.", $"Mail for {domain} is delivered to {mailHost} (RFC 5321 §5)."),
            new(domain, "TXT", Spf(options), "SPF (RFC 7208): the hosts allowed to send as this domain; everyone else fails (-all)."),
        };

        foreach (var key in dkimKeys)
        {
            var purpose = key.State switch
            {
                DkimKeyState.Active => $"DKIM key {key.Selector} ({Algorithm(key.Algorithm)}): receivers verify our signatures with it (RFC 6376).",
                DkimKeyState.Pending => $"DKIM key {key.Selector} ({Algorithm(key.Algorithm)}), next in a rotation: publish it before it signs.",
                DkimKeyState.Retiring => $"DKIM key {key.Selector} ({Algorithm(key.Algorithm)}), replaced: keep it published until mail signed with it has been verified.",
                _ => $"DKIM key {key.Selector} ({Algorithm(key.Algorithm)}), retired: delete this record, nothing is signed with it any more.",
            };
            records.Add(new DnsRecord(key.RecordName, "TXT", key.RecordValue, purpose, Obsolete: key.State == DkimKeyState.Retired));
        }

        records.Add(new DnsRecord($"_dmarc.{domain}", "TXT", DmarcPolicies.Record(dmarc, domain), DmarcPolicies.Purpose(dmarc)));
        records.Add(new DnsRecord($"_mta-sts.{domain}", "TXT", $"v=STSv1; id={MtaStsPolicy.Id(mtaSts, mailHost)}",
            $"MTA-STS (RFC 8461, mode {mtaSts.ToString().ToLowerInvariant()}): senders must use TLS to our MX; the id changes whenever the policy does."));
        records.Add(new DnsRecord($"mta-sts.{domain}", "CNAME", $"{consoleHost}.", "Where senders fetch the MTA-STS policy over HTTPS."));
        records.Add(new DnsRecord($"_smtp._tls.{domain}", "TXT", $"v=TLSRPTv1; rua=mailto:tls-reports@{domain}",
            "TLS reporting (RFC 8460): senders report TLS failures reaching us."));
        records.Add(new DnsRecord($"_submissions._tcp.{domain}", "SRV", $"0 1 {options.SubmissionsPort} {mailHost}.", "Mail clients find submission with implicit TLS (RFC 6186, RFC 8314)."));
        records.Add(new DnsRecord($"_submission._tcp.{domain}", "SRV", $"1 1 {options.SubmissionPort} {mailHost}.", "Mail clients find submission with STARTTLS (RFC 6186)."));
        records.Add(new DnsRecord($"_imaps._tcp.{domain}", "SRV", $"0 1 {options.ImapsPort} {mailHost}.", "Mail clients find IMAP with implicit TLS (RFC 6186, RFC 8314)."));
        records.Add(new DnsRecord($"_imap._tcp.{domain}", "SRV", $"1 1 {options.ImapPort} {mailHost}.", "Mail clients find IMAP with STARTTLS (RFC 6186)."));
        records.Add(new DnsRecord($"autoconfig.{domain}", "CNAME", $"{consoleHost}.", "Thunderbird's autoconfiguration fetches the settings here."));
        records.Add(new DnsRecord($"autodiscover.{domain}", "CNAME", $"{consoleHost}.", "Outlook's autodiscover fetches the settings here."));
        records.Add(new DnsRecord(domain, "CAA", $"0 issue \"{options.CertificateAuthority}\"", $"Only {options.CertificateAuthority} may issue certificates for this domain (RFC 8659)."));

        foreach (var address in SendingAddresses(options))
        {
            records.Add(new DnsRecord(ReverseName(address), "PTR", $"{mailHost}.",
                $"Ask whoever runs {address}'s network: its reverse name must be {mailHost}, which must resolve back to it (forward-confirmed), or receivers distrust our mail.", InZone: false));
        }

        return records;
    }

    /// <summary>
    /// The SPF record: the sending addresses, or "mx" when none are configured. The count of DNS-querying
    /// terms stays far under the limit of 10 (RFC 7208 §4.6.4) by design: no include is added here.
    /// </summary>
    public static string Spf(DnsOptions options)
    {
        var terms = SendingAddresses(options).Select(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? $"ip6:{a}" : $"ip4:{a}").ToList();
        if (terms.Count == 0) terms.Add("mx");
        return $"v=spf1 {string.Join(' ', terms)} -all";
    }

    /// <summary>The DNS-querying terms of an SPF record (RFC 7208 §4.6.4: include, a, mx, ptr, exists, redirect).</summary>
    public static int SpfLookups(string record) =>
        record.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(t =>
        {
            var term = t.TrimStart('+', '-', '~', '?').ToLowerInvariant();
            return term is "a" or "mx" or "ptr" || term.StartsWith("a:", StringComparison.Ordinal) || term.StartsWith("a/", StringComparison.Ordinal)
                || term.StartsWith("mx:", StringComparison.Ordinal) || term.StartsWith("mx/", StringComparison.Ordinal) || term.StartsWith("ptr:", StringComparison.Ordinal)
                || term.StartsWith("include:", StringComparison.Ordinal) || term.StartsWith("exists:", StringComparison.Ordinal) || term.StartsWith("redirect=", StringComparison.Ordinal);
        });

    private static IEnumerable<IPAddress> SendingAddresses(DnsOptions options) =>
        (options.SendingAddresses ?? []).Select(a => IPAddress.TryParse(a.Trim(), out var ip) ? ip : null).OfType<IPAddress>();

    /// <summary>in-addr.arpa / ip6.arpa name of an address (RFC 1035 §3.5, RFC 3596 §2.5).</summary>
    public static string ReverseName(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork) return string.Join('.', bytes.Reverse()) + ".in-addr.arpa";
        var nibbles = Convert.ToHexStringLower(bytes).Reverse();
        return string.Join('.', nibbles) + ".ip6.arpa";
    }

    private static string Algorithm(DkimAlgorithm algorithm) => algorithm == DkimAlgorithm.Ed25519 ? "Ed25519" : "RSA";
}
