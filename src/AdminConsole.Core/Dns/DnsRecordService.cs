using AdminConsole.Core.Data;
using AdminConsole.Core.Dkim;
using AdminConsole.Core.Domains;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Dns;

/// <summary>A domain's records as the DNS page, the API and the zone export show them.</summary>
/// <param name="Dmarc">The DMARC policy the domain publishes (the step it is at).</param>
public sealed record DomainRecords(string Domain, string MailHost, IReadOnlyList<DnsRecord> Records, IReadOnlyList<string> Warnings, DmarcPolicy Dmarc = DmarcPolicy.None);

/// <summary>Computes the records of a domain from the database and this installation's host names.</summary>
public sealed class DnsRecordService(AdminDbContext db, DkimKeyService dkim, IOptions<DnsOptions> options, IConfiguration configuration, DnsLiveCheck live)
{
    /// <summary>Checks kept per domain; older ones are deleted.</summary>
    public const int ChecksKept = 100;
    /// <summary>The mail host: Dns:MailHost, else the engine's Engine:HostName, else this machine's name.</summary>
    public string MailHost => MailHostOf(options.Value, configuration);

    public static string MailHostOf(DnsOptions options, IConfiguration configuration) =>
        (string.IsNullOrWhiteSpace(options.MailHost) ? configuration["Engine:HostName"] : options.MailHost) is { Length: > 0 } host
            ? host.Trim().TrimEnd('.').ToLowerInvariant()
            : System.Net.Dns.GetHostName().ToLowerInvariant();


    /// <summary>
    /// The names a certificate of this installation should cover (issue #17): the mail host (MX,
    /// submission and IMAP clients connect to it), the console's host when it is another, and for every
    /// domain the mta-sts. and autoconfig. names its records point at the console.
    /// </summary>
    public async Task<IReadOnlyList<string>> CertificateNamesAsync(CancellationToken ct = default)
    {
        var names = new List<string> { MailHost };
        if (options.Value.ConsoleHostOr(MailHost) is var console && !names.Contains(console)) names.Add(console);
        foreach (var domain in await db.Domains.AsNoTracking().OrderBy(d => d.Name).Select(d => d.Name).ToListAsync(ct))
        {
            names.Add("mta-sts." + domain);
            names.Add("autoconfig." + domain);
        }

        return names;
    }

    public async Task<DomainRecords> ForAsync(string name, CancellationToken ct = default)
    {
        var domain = await db.DomainAsync(name, ct);
        var normalized = domain.Name;
        var records = DomainDnsRecords.For(normalized, await dkim.ListAsync(normalized, ct), options.Value, MailHost, domain.MtaStsMode, domain.DmarcPolicy);
        var warnings = new List<string>();
        var spf = records.First(r => r.Type == "TXT" && r.Value.StartsWith("v=spf1", StringComparison.Ordinal)).Value;
        if (DomainDnsRecords.SpfLookups(spf) > DomainDnsRecords.SpfLookupLimit)
            warnings.Add($"The SPF record needs more than {DomainDnsRecords.SpfLookupLimit} DNS lookups: receivers treat it as a permanent error (RFC 7208 §4.6.4).");
        // The reports the DMARC and TLS-RPT records ask for must have somewhere to land, or every receiver's report bounces.
        foreach (var (address, what) in new[] { (DmarcPolicies.ReportAddress(normalized), "DMARC aggregate reports (rua)"), ($"tls-reports@{normalized}", "TLS reports (TLS-RPT)") })
        {
            if (!await db.Mailboxes.AnyAsync(m => m.Address == address, ct) && !await db.Groups.AnyAsync(g => g.Address == address, ct) && domain.CatchAllAddress is null)
                warnings.Add($"{what} are sent to {address}, which is no mailbox or group here: create one (a group to an admin will do), or the reports bounce.");
        }

        if (!records.Any(r => r.Name.Contains("._domainkey.", StringComparison.Ordinal)))
            warnings.Add("The domain has no DKIM key: its mail leaves unsigned. Run adminctl dkim ensure, or POST /api/v1/domains/{name}/dkim.");
        return new DomainRecords(normalized, MailHost, records, warnings, domain.DmarcPolicy);
    }

    /// <summary>Asks the domain's authoritative servers for every record now and keeps the result.</summary>
    public async Task<DnsCheckResult> CheckAsync(string name, CancellationToken ct = default)
    {
        var records = await ForAsync(name, ct);
        var result = await live.CheckAsync(records, ct);
        var domainId = await db.Domains.Where(d => d.Name == records.Domain).Select(d => d.Id).SingleAsync(ct);
        db.DnsChecks.Add(new DnsCheck
        {
            DomainId = domainId,
            CheckedAt = result.CheckedAt,
            Broken = result.Error is null ? result.Broken : -1,
            Result = System.Text.Json.JsonSerializer.Serialize(result, System.Text.Json.JsonSerializerOptions.Web),
        });
        await db.SaveChangesAsync(ct);
        var stale = await db.DnsChecks.Where(c => c.DomainId == domainId).OrderByDescending(c => c.CheckedAt).Skip(ChecksKept).Select(c => c.Id).ToListAsync(ct);
        if (stale.Count > 0) await db.DnsChecks.Where(c => stale.Contains(c.Id)).ExecuteDeleteAsync(ct);
        return result;
    }

    /// <summary>The newest checks of a domain, newest first.</summary>
    public async Task<IReadOnlyList<DnsCheckResult>> ChecksAsync(string name, int count, CancellationToken ct = default)
    {
        var domainId = (await db.DomainAsync(name, ct)).Id;
        var rows = await db.DnsChecks.AsNoTracking().Where(c => c.DomainId == domainId).OrderByDescending(c => c.CheckedAt).Take(count).Select(c => c.Result).ToListAsync(ct);
        return rows.Select(r => System.Text.Json.JsonSerializer.Deserialize<DnsCheckResult>(r, System.Text.Json.JsonSerializerOptions.Web)!).ToList();
    }

    /// <summary>The status of a record in a check: only a check of the same value counts (a changed key is unchecked again).</summary>
    public static string StatusOf(DnsRecord record, DnsCheckResult? check) =>
        !record.InZone ? "outside-zone"
        : check?.Records.FirstOrDefault(r => r.Name == record.Name && r.Type == record.Type && r.Expected == record.Value)?.Status ?? "unchecked";

    /// <summary>The MTA-STS policy file of one of our domains; null when it is not ours.</summary>
    public async Task<string?> MtaStsPolicyAsync(string domain, CancellationToken ct = default) =>
        await db.FindDomainAsync(domain, ct) is { } ours ? MtaStsPolicy.Text(ours.MtaStsMode, MailHost) : null;

    /// <summary>Whether a domain (A-label or U-label) is one of ours, and its A-label.</summary>
    public async Task<string?> OursAsync(string domain, CancellationToken ct = default) =>
        (await db.FindDomainAsync(domain, ct))?.Name;

    public async Task<string> ZoneAsync(string name, CancellationToken ct = default)
    {
        var records = await ForAsync(name, ct);
        return ZoneFile.Write(records.Domain, records.Records, options.Value.Ttl);
    }
}
