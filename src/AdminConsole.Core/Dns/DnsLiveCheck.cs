using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Dns;

/// <summary>What one authoritative server answered for one record.</summary>
/// <param name="Status">match, mismatch (another value of the same kind is there: <paramref name="Found"/>), missing, or error.</param>
public sealed record NameServerAnswer(string NameServer, string Status, string? Found);

/// <summary>One record's verdict: its worst answer over every authoritative server, and each answer.</summary>
public sealed record RecordCheck(string Name, string Type, string Expected, string Status, IReadOnlyList<NameServerAnswer> Answers);

/// <param name="Zone">The zone the domain's records live in (the domain or a parent with NS records).</param>
/// <param name="Error">Why nothing could be checked (no zone, no name server answering); null when checked.</param>
public sealed record DnsCheckResult(string Domain, string? Zone, IReadOnlyList<string> NameServers, bool Signed, bool Validated,
    IReadOnlyList<RecordCheck> Records, DateTimeOffset CheckedAt, string? Error)
{
    public int Broken => Records.Count(r => r.Status is not (DnsLiveCheck.Match or DnsLiveCheck.Removed));
}

/// <summary>
/// Checks a domain's records against its authoritative name servers, asked directly (not through a
/// caching resolver, whose answer may be hours old): the zone is found by its NS records through the
/// resolver, each name server's address too, then every record is asked of every server.
/// </summary>
public sealed class DnsLiveCheck(IOptions<DnsOptions> options, TimeProvider clock)
{
    public const string Match = "match";
    public const string Mismatch = "mismatch";
    public const string Missing = "missing";
    public const string Error = "error";

    /// <summary>A record to delete (<see cref="DnsRecord.Obsolete"/>) that no server has any more.</summary>
    public const string Removed = "removed";

    /// <summary>A record to delete that some server still has.</summary>
    public const string Present = "present";

    public async Task<DnsCheckResult> CheckAsync(DomainRecords expected, CancellationToken ct = default)
    {
        var o = options.Value;
        var resolver = new LookupClient(new LookupClientOptions([.. Resolvers(o)]) { UseCache = false, Timeout = o.CheckTimeout, Retries = 1, ContinueOnDnsError = true, RequestDnsSecRecords = true });
        var now = clock.GetUtcNow();

        // The zone: the nearest name at or above the domain that has NS records.
        string? zone = null;
        IReadOnlyList<string> servers = [];
        try
        {
            for (var name = expected.Domain; name.Contains('.', StringComparison.Ordinal); name = name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..])
            {
                var ns = await resolver.QueryAsync(name, QueryType.NS, cancellationToken: ct);
                var found = ns.Answers.NsRecords().Select(r => r.NSDName.Value.TrimEnd('.').ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
                if (found.Count > 0)
                {
                    (zone, servers) = (name, found);
                    break;
                }
            }
        }
        catch (DnsResponseException e)
        {
            return new DnsCheckResult(expected.Domain, null, [], false, false, [], now, $"The resolver did not answer ({e.Message}); nothing was checked.");
        }

        if (zone is null)
            return new DnsCheckResult(expected.Domain, null, [], false, false, [], now, $"No zone holds {expected.Domain}: nothing at or above it has NS records. Create the zone at your DNS provider first.");

        var addresses = new List<(string Name, IPAddress Address)>();
        foreach (var server in servers)
        {
            try
            {
                var a = await resolver.QueryAsync(server, QueryType.A, cancellationToken: ct);
                var aaaa = await resolver.QueryAsync(server, QueryType.AAAA, cancellationToken: ct);
                var ips = a.Answers.ARecords().Select(r => r.Address).Concat(aaaa.Answers.AaaaRecords().Select(r => r.Address)).ToList();
                // One address per server is enough to ask it; IPv4 first, as most checking hosts have it.
                if (ips.OrderBy(ip => ip.AddressFamily == AddressFamily.InterNetworkV6).FirstOrDefault() is { } ip) addresses.Add((server, ip));
            }
            catch (DnsResponseException)
            {
                // A name server whose address cannot be found is left out; none at all is the error below.
            }
        }

        if (addresses.Count == 0)
            return new DnsCheckResult(expected.Domain, zone, servers, false, false, [], now, $"None of the name servers of {zone} ({string.Join(", ", servers)}) has an address.");

        var checks = new List<RecordCheck>();
        var signed = false;
        var perServer = addresses.Select(s => (s.Name, Client: new LookupClient(new LookupClientOptions(new NameServer(s.Address, o.AuthoritativePort))
        {
            UseCache = false, Recursion = false, Timeout = o.CheckTimeout, Retries = 1, ContinueOnDnsError = true, ThrowDnsErrors = false, UseTcpFallback = true,
        }))).ToList();

        var validated = false;
        try
        {
            foreach (var (_, client) in perServer)
                signed |= (await client.QueryAsync(zone, QueryType.DNSKEY, cancellationToken: ct)).Answers.OfType<DnsKeyRecord>().Any();
            // Validated: a validating resolver vouches for the answer (the AD bit, RFC 4035 §3.2.3).
            validated = signed && (await resolver.QueryAsync(expected.Domain, QueryType.SOA, cancellationToken: ct)).Header.IsAuthenticData;
        }
        catch (DnsResponseException)
        {
            // DNSSEC is reported as unknown-false; the records below still get their own verdicts.
        }

        foreach (var record in expected.Records.Where(r => r.InZone))
        {
            var answers = new List<NameServerAnswer>();
            foreach (var (name, client) in perServer)
            {
                try
                {
                    var response = await client.QueryAsync(record.Name, Parse(record.Type), cancellationToken: ct);
                    answers.Add(Compare(name, record, response));
                }
                catch (DnsResponseException e)
                {
                    answers.Add(new NameServerAnswer(name, Error, e.Message));
                }
            }

            var status = answers.Any(a => a.Status == Error) ? Error
                : record.Obsolete ? (answers.Any(a => a.Status == Match) ? Present : Removed)
                : answers.Any(a => a.Status == Mismatch) ? Mismatch
                : answers.Any(a => a.Status == Missing) ? Missing
                : Match;
            checks.Add(new RecordCheck(record.Name, record.Type, record.Value, status, answers));
        }

        return new DnsCheckResult(expected.Domain, zone, servers, signed, validated, checks, now, null);
    }

    private static IReadOnlyCollection<NameServer> Resolvers(DnsOptions o) =>
        o.Resolvers is { Length: > 0 } configured
            ? configured.Select(r => IPEndPoint.TryParse(r, out var ep) ? new NameServer(ep.Address, ep.Port == 0 ? 53 : ep.Port) : throw new FormatException($"Dns:Resolvers has '{r}', not an address[:port]."))
                .ToList()
            : NameServer.ResolveNameServers();

    private static QueryType Parse(string type) => Enum.Parse<QueryType>(type);

    /// <summary>
    /// One server's answer against the expected record. TXT values are told apart by their version tag
    /// (v=spf1, v=DKIM1, v=DMARC1, ...): another SPF record is a mismatch, an unrelated TXT is not.
    /// </summary>
    private static NameServerAnswer Compare(string server, DnsRecord expected, IDnsQueryResponse response)
    {
        var found = response.Answers.Where(a => a.DomainName.Value.TrimEnd('.').Equals(expected.Name, StringComparison.OrdinalIgnoreCase)).Select(Text).OfType<string>()
            .Where(v => expected.Type != "TXT" || DnsRecord.TxtKind(v) == DnsRecord.TxtKind(expected.Value)).ToList();
        if (found.Count == 0) return new NameServerAnswer(server, Missing, null);
        return found.Any(v => Same(expected.Type, v, expected.Value))
            ? new NameServerAnswer(server, Match, null)
            : new NameServerAnswer(server, Mismatch, string.Join(" | ", found));
    }

    /// <summary>A record's data the way <see cref="DomainDnsRecords"/> writes it.</summary>
    private static string? Text(DnsResourceRecord record) => record switch
    {
        TxtRecord txt => string.Concat(txt.Text),
        MxRecord mx => $"{mx.Preference} {mx.Exchange.Value.ToLowerInvariant()}",
        SrvRecord srv => $"{srv.Priority} {srv.Weight} {srv.Port} {srv.Target.Value.ToLowerInvariant()}",
        CNameRecord cname => cname.CanonicalName.Value.ToLowerInvariant(),
        CaaRecord caa => $"{caa.Flags} {caa.Tag} \"{caa.Value}\"",
        _ => null,
    };

    private static bool Same(string type, string found, string expected) => type switch
    {
        "TXT" => DnsRecord.SameTxt(found, expected),
        _ => string.Equals(found.TrimEnd('.'), expected.TrimEnd('.'), StringComparison.OrdinalIgnoreCase),
    };
}
