using AdminConsole.Core.Data;
using AdminConsole.Core.Dkim;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Dns;

/// <summary>A domain's records as the DNS page, the API and the zone export show them.</summary>
public sealed record DomainRecords(string Domain, string MailHost, IReadOnlyList<DnsRecord> Records, IReadOnlyList<string> Warnings);

/// <summary>Computes the records of a domain from the database and this installation's host names.</summary>
public sealed class DnsRecordService(AdminDbContext db, DkimKeyService dkim, IOptions<DnsOptions> options, IConfiguration configuration)
{
    /// <summary>The mail host: Dns:MailHost, else the engine's Engine:HostName, else this machine's name.</summary>
    public string MailHost =>
        (string.IsNullOrWhiteSpace(options.Value.MailHost) ? configuration["Engine:HostName"] : options.Value.MailHost) is { Length: > 0 } host
            ? host.Trim().TrimEnd('.').ToLowerInvariant()
            : System.Net.Dns.GetHostName().ToLowerInvariant();

    public async Task<DomainRecords> ForAsync(string name, CancellationToken ct = default)
    {
        if (!EmailAddress.TryNormalizeDomain(name, out var normalized, out _) || !await db.Domains.AnyAsync(d => d.Name == normalized, ct))
            throw new DomainNotFoundException($"No domain {name}.");
        var records = DomainDnsRecords.For(normalized, await dkim.ListAsync(normalized, ct), options.Value, MailHost);
        var warnings = new List<string>();
        var spf = records.First(r => r.Type == "TXT" && r.Value.StartsWith("v=spf1", StringComparison.Ordinal)).Value;
        if (DomainDnsRecords.SpfLookups(spf) > DomainDnsRecords.SpfLookupLimit)
            warnings.Add($"The SPF record needs more than {DomainDnsRecords.SpfLookupLimit} DNS lookups: receivers treat it as a permanent error (RFC 7208 §4.6.4).");
        if (!records.Any(r => r.Name.Contains("._domainkey.", StringComparison.Ordinal)))
            warnings.Add("The domain has no DKIM key: its mail leaves unsigned. Run adminctl dkim ensure, or POST /api/v1/domains/{name}/dkim.");
        return new DomainRecords(normalized, MailHost, records, warnings);
    }

    public async Task<string> ZoneAsync(string name, CancellationToken ct = default)
    {
        var records = await ForAsync(name, ct);
        return ZoneFile.Write(records.Domain, records.Records, options.Value.Ttl);
    }
}
