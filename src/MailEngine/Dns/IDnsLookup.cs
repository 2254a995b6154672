using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace MailEngine.Dns;

/// <summary>The record types the authentication checks ask for (SPF, later DKIM keys and DMARC policies).</summary>
public enum DnsRecordKind { A, Aaaa, Mx, Txt, Ptr }

/// <summary>
/// What a lookup found. RFC 7208 §4.6.4 tells "no records" (NOERROR with no answer, NODATA) and
/// "no such domain" (NXDOMAIN) apart from a failure (SERVFAIL, a timeout): the first two are
/// answers ("void lookups"), the last is a temporary error.
/// </summary>
public enum DnsLookupStatus { Found, NoRecords, NoSuchDomain, Failed }

/// <param name="Values">
/// As text: addresses for A/AAAA, host names for MX (by preference) and PTR, and for TXT each
/// record's character-strings joined without a separator (RFC 7208 §3.3).
/// </param>
public sealed record DnsLookup(DnsLookupStatus Status, IReadOnlyList<string> Values, string? Error = null)
{
    public static DnsLookup Of(params string[] values) => new(values.Length == 0 ? DnsLookupStatus.NoRecords : DnsLookupStatus.Found, values);
}

/// <summary>General lookups for the inbound checks; the system resolver answers them, tests give zones of their own.</summary>
public interface IDnsLookup
{
    Task<DnsLookup> QueryAsync(string name, DnsRecordKind kind, CancellationToken ct);
}

/// <summary>The machine's resolvers (DnsClient), for the lookups of <see cref="IDnsLookup"/>.</summary>
public sealed class SystemDnsLookup(LookupClient? client = null) : IDnsLookup
{
    private readonly LookupClient _client = client ?? new LookupClient(new LookupClientOptions { UseCache = true, Timeout = TimeSpan.FromSeconds(10), Retries = 2 });

    /// <summary>The machine's resolvers, or the one server of <paramref name="server"/> ("127.0.0.1:53", "[::1]:5353"; an address alone is port 53).</summary>
    public static SystemDnsLookup For(string? server)
    {
        if (string.IsNullOrWhiteSpace(server)) return new SystemDnsLookup();
        if (!IPEndPoint.TryParse(server, out var endPoint))
            throw new ArgumentException($"The DNS server \"{server}\" is not an address or address:port.", nameof(server));
        if (endPoint.Port == 0) endPoint.Port = 53;
        return new SystemDnsLookup(new LookupClient(new LookupClientOptions(endPoint) { UseCache = true, Timeout = TimeSpan.FromSeconds(10), Retries = 2 }));
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
                _ => QueryType.PTR,
            };
            var response = await _client.QueryAsync(name, type, cancellationToken: ct);
            if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain) return new DnsLookup(DnsLookupStatus.NoSuchDomain, []);
            if (response.HasError) return new DnsLookup(DnsLookupStatus.Failed, [], $"{name}: {response.ErrorMessage}");
            IEnumerable<string> values = kind switch
            {
                DnsRecordKind.A => response.Answers.ARecords().Select(r => r.Address.ToString()),
                DnsRecordKind.Aaaa => response.Answers.AaaaRecords().Select(r => r.Address.ToString()),
                DnsRecordKind.Mx => response.Answers.MxRecords().OrderBy(r => r.Preference).Select(r => r.Exchange.Value.TrimEnd('.')),
                DnsRecordKind.Txt => response.Answers.TxtRecords().Select(r => string.Concat(r.Text)),
                _ => response.Answers.PtrRecords().Select(r => r.PtrDomainName.Value.TrimEnd('.')),
            };
            return DnsLookup.Of([.. values]);
        }
        catch (DnsResponseException e)
        {
            return new DnsLookup(DnsLookupStatus.Failed, [], $"{name}: {e.Message}");
        }
    }
}
