using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MailEngine.Dns;

/// <summary>The record types the engine asks for: SPF, DKIM keys and DMARC policies (TXT), exchangers and their addresses, TLSA for DANE (RFC 7672).</summary>
public enum DnsRecordKind { A, Aaaa, Mx, Txt, Ptr, Tlsa }

/// <summary>
/// What a lookup found. RFC 7208 §4.6.4 tells "no records" (NOERROR with no answer, NODATA) and
/// "no such domain" (NXDOMAIN) apart from a failure (SERVFAIL, a timeout): the first two are
/// answers ("void lookups"), the last is a temporary error.
/// </summary>
public enum DnsLookupStatus { Found, NoRecords, NoSuchDomain, Failed }

/// <param name="Values">
/// As text: addresses for A/AAAA, host names for MX (by preference) and PTR, and for TXT each
/// record's character-strings joined without a separator (RFC 7208 §3.3), for TLSA
/// "usage selector matching-type hex-data" (RFC 6698 §2.2).
/// </param>
public sealed record DnsLookup(DnsLookupStatus Status, IReadOnlyList<string> Values, string? Error = null)
{
    /// <summary>
    /// The answer (or its denial) was DNSSEC-validated (RFC 4035 §3.2.3, the AD bit), by a resolver
    /// the engine trusts to say so: one on the loopback interface (RFC 6698 §1.3, RFC 7672 §1.3).
    /// </summary>
    public bool Authenticated { get; init; }

    public static DnsLookup Of(params string[] values) => new(values.Length == 0 ? DnsLookupStatus.NoRecords : DnsLookupStatus.Found, values);
}

/// <summary>General lookups for the inbound checks; the system resolver answers them, tests give zones of their own.</summary>
public interface IDnsLookup
{
    Task<DnsLookup> QueryAsync(string name, DnsRecordKind kind, CancellationToken ct);
}

/// <summary>The machine's resolvers (DnsClient), for the lookups of <see cref="IDnsLookup"/>.</summary>
/// <param name="trustsAuthenticatedData">
/// Whether the server's AD bit is believed: only for a resolver on this machine, as a validating
/// stub can believe nothing said over a network it does not protect. Unset: when every resolver is on loopback.
/// </param>
public sealed class SystemDnsLookup(LookupClient? client = null, bool? trustsAuthenticatedData = null) : IDnsLookup
{
    // The DO bit asks a validating resolver for its verdict (RFC 3225, RFC 6840 §5.7: AD only then).
    private readonly LookupClient _client = client ?? new LookupClient(new LookupClientOptions { UseCache = true, Timeout = TimeSpan.FromSeconds(10), Retries = 2, RequestDnsSecRecords = true });

    private readonly bool _trustsAd = trustsAuthenticatedData ?? (client?.NameServers ?? NameServer.ResolveNameServers(fallbackToGooglePublicDns: false)) is { Count: > 0 } servers
        && servers.All(s => IPAddress.TryParse(s.Address, out var a) && IPAddress.IsLoopback(a));

    /// <summary>Whether answers can come back <see cref="DnsLookup.Authenticated"/> (DANE needs that).</summary>
    public bool TrustsAuthenticatedData => _trustsAd;

    /// <summary>The machine's resolvers, or the one server of <paramref name="server"/> ("127.0.0.1:53", "[::1]:5353"; an address alone is port 53).</summary>
    public static SystemDnsLookup For(string? server)
    {
        if (string.IsNullOrWhiteSpace(server)) return new SystemDnsLookup();
        if (!IPEndPoint.TryParse(server, out var endPoint))
            throw new ArgumentException($"The DNS server \"{server}\" is not an address or address:port.", nameof(server));
        if (endPoint.Port == 0) endPoint.Port = 53;
        return new SystemDnsLookup(
            new LookupClient(new LookupClientOptions(endPoint) { UseCache = true, Timeout = TimeSpan.FromSeconds(10), Retries = 2, RequestDnsSecRecords = true }),
            IPAddress.IsLoopback(endPoint.Address));
    }

    public async Task<DnsLookup> QueryAsync(string name, DnsRecordKind kind, CancellationToken ct)
    {
        try
        {
            var type = kind switch
            {
                DnsRecordKind.A => QueryType.A,
                DnsRecordKind.Aaaa => QueryType.AAAA,
                DnsRecordKind.Mx => QueryType.MX,
                DnsRecordKind.Txt => QueryType.TXT,
                DnsRecordKind.Tlsa => QueryType.TLSA,
                _ => QueryType.PTR,
            };
            var response = await _client.QueryAsync(name, type, cancellationToken: ct);
            var authenticated = _trustsAd && response.Header.IsAuthenticData;
            if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain) return new DnsLookup(DnsLookupStatus.NoSuchDomain, []) { Authenticated = authenticated };
            if (response.HasError) return new DnsLookup(DnsLookupStatus.Failed, [], $"{name}: {response.ErrorMessage}");
            IEnumerable<string> values = kind switch
            {
                DnsRecordKind.A => response.Answers.ARecords().Select(r => r.Address.ToString()),
                DnsRecordKind.Aaaa => response.Answers.AaaaRecords().Select(r => r.Address.ToString()),
                DnsRecordKind.Mx => response.Answers.MxRecords().OrderBy(r => r.Preference).Select(r => r.Exchange.Value.TrimEnd('.')),
                DnsRecordKind.Txt => response.Answers.TxtRecords().Select(r => string.Concat(r.Text)),
                DnsRecordKind.Tlsa => response.Answers.OfType<TlsaRecord>().Select(r =>
                    $"{(int)r.CertificateUsage} {(int)r.Selector} {(int)r.MatchingType} {Convert.ToHexString(r.CertificateAssociationData.ToArray())}"),
                _ => response.Answers.PtrRecords().Select(r => r.PtrDomainName.Value.TrimEnd('.')),
            };
            return DnsLookup.Of([.. values]) with { Authenticated = authenticated };
        }
        catch (DnsResponseException e)
        {
            return new DnsLookup(DnsLookupStatus.Failed, [], $"{name}: {e.Message}");
        }
    }
}
