using System.Net;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Domains;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using MailEngine.Addressing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Dns;

/// <summary>The publisher settings as shown: never the secret, only whether one is set.</summary>
public sealed record DnsPublisherView(string Server, string? Zone, string KeyName, string Algorithm, bool HasSecret, DateTimeOffset UpdatedAt);

/// <summary>What was sent: the records added, the record sets replaced and the obsolete records deleted, then the check that followed.</summary>
public sealed record DnsPublishResult(IReadOnlyList<string> Added, IReadOnlyList<string> Replaced, IReadOnlyList<string> Removed, DnsCheckResult Check);

/// <summary>
/// Publishes a domain's records by RFC 2136 dynamic update, signed with TSIG (RFC 8945), as BIND, Knot
/// and PowerDNS accept: only what the live check found missing or different is sent, in one UPDATE
/// message (applied all or nothing, RFC 2136 §3.7), then the live check runs again.
/// </summary>
public sealed partial class DnsPublisher(AdminDbContext db, IDataProtectionProvider protection, DnsRecordService records, AuditLog audit, IOptions<DnsOptions> options, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> Algorithms = ["hmac-sha256", "hmac-sha384", "hmac-sha512"];
    private readonly IDataProtector _protector = protection.CreateProtector("AdminConsole.Dns.TsigSecret.v1");

    public async Task<DnsPublisherView?> GetAsync(string domain, CancellationToken ct = default)
    {
        var settings = await FindAsync(await IdAsync(domain, ct), ct);
        return settings is null ? null : View(settings);
    }

    /// <summary>Sets where and how to publish. The secret (base64, as tsig-keygen prints it) is needed the first time; left out later, it stays.</summary>
    public async Task<DnsPublisherView> SetAsync(string domain, string? server, string? zone, string? keyName, string? algorithm, string? secret, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var id = await IdAsync(domain, ct);
        var existing = await FindAsync(id, ct);
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(server) || !TryEndpoint(server, out _)) errors.Add("server", "The server is an IP address, with :port when not 53 (the primary that takes updates).");
        string? normalizedZone = null;
        if (!string.IsNullOrWhiteSpace(zone) && !EmailAddress.TryNormalizeDomain(zone.TrimEnd('.'), out normalizedZone, out var zoneError)) errors.Add("zone", zoneError);
        if (string.IsNullOrWhiteSpace(keyName) || !KeyNamePattern().IsMatch(keyName.Trim().TrimEnd('.'))) errors.Add("keyName", "The key name is a DNS name (labels of letters, digits, - and _), as in the server's key statement.");
        var alg = string.IsNullOrWhiteSpace(algorithm) ? "hmac-sha256" : algorithm.Trim().ToLowerInvariant();
        if (!Algorithms.Contains(alg)) errors.Add("algorithm", $"The algorithm is one of {string.Join(", ", Algorithms)}.");
        byte[]? key = null;
        if (secret is not null)
        {
            try
            {
                key = Convert.FromBase64String(secret.Trim());
                if (key.Length < 16) errors.Add("secret", "The secret is at least 16 bytes (tsig-keygen makes 32).");
            }
            catch (FormatException)
            {
                errors.Add("secret", "The secret is base64, as tsig-keygen prints it.");
            }
        }
        else if (existing is null)
        {
            errors.Add("secret", "Give the key's secret (it is stored encrypted and never shown again).");
        }

        errors.ThrowIfAny();
        var settings = existing ?? new DnsPublisherSettings { DomainId = id, Server = "", KeyName = "", Algorithm = alg, SealedSecret = [] };
        settings.Server = server!.Trim();
        settings.Zone = normalizedZone;
        settings.KeyName = keyName!.Trim().TrimEnd('.').ToLowerInvariant();
        settings.Algorithm = alg;
        if (key is not null) settings.SealedSecret = _protector.Protect(key);
        settings.UpdatedAt = EntityVersion.Now(clock);
        if (existing is null) db.DnsPublisherSettings.Add(settings);
        audit.Record(actor, "dns.publisher-set", $"domain:{domain}", new { settings.Server, settings.Zone, settings.KeyName, settings.Algorithm, secretChanged = key is not null }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(settings);
    }

    public async Task RemoveAsync(string domain, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var settings = await FindAsync(await IdAsync(domain, ct), ct) ?? throw new DomainNotFoundException($"{domain} has no RFC 2136 publishing set up.");
        db.DnsPublisherSettings.Remove(settings);
        audit.Record(actor, "dns.publisher-removed", $"domain:{domain}", remoteAddress: remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Sends what the live check found missing or different, then checks again.</summary>
    public async Task<DnsPublishResult> PublishAsync(string domain, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var settings = await FindAsync(await IdAsync(domain, ct), ct)
            ?? throw new DomainValidationException("publisher", $"{domain} has no RFC 2136 server set up: set the server, key name and secret first.");
        var before = await records.CheckAsync(domain, ct);
        var zone = settings.Zone ?? before.Zone
            ?? throw new DomainValidationException("zone", before.Error ?? $"No zone for {domain}: give the zone to update.");
        var client = Client(settings);

        var message = new DnsUpdateMessage { ZoneName = DomainName.Parse(zone) };
        var (added, replaced, removed) = (new List<string>(), new List<string>(), new List<string>());
        var ttl = options.Value.Ttl;

        // Records to delete (a retired DKIM selector) that a server still has: exactly that value goes.
        foreach (var check in before.Records.Where(c => c.Status == DnsLiveCheck.Present))
        {
            var present = await client.ResolveAsync(DomainName.Parse(check.Name), RecordType.Txt, token: ct);
            foreach (var txt in present?.AnswerRecords.OfType<TxtRecord>() ?? [])
                if (DnsRecord.SameTxt(txt.TextData, check.Expected)) message.Updates.Add(new DeleteRecordUpdate(txt));
            removed.Add($"{check.Name} {check.Type}");
        }

        foreach (var check in before.Records.Where(c => c.Status is DnsLiveCheck.Missing or DnsLiveCheck.Mismatch))
        {
            var record = new DnsRecord(check.Name, check.Type, check.Expected, "");
            var name = DomainName.Parse(record.Name);
            if (check.Status == DnsLiveCheck.Mismatch)
            {
                if (record.Type == "TXT")
                {
                    // Only the TXT records of the same kind (v=spf1, v=DKIM1, …) go: a site verification beside them stays.
                    var present = await client.ResolveAsync(name, RecordType.Txt, token: ct);
                    foreach (var txt in present?.AnswerRecords.OfType<TxtRecord>() ?? [])
                        if (DnsRecord.TxtKind(txt.TextData) == DnsRecord.TxtKind(record.Value)) message.Updates.Add(new DeleteRecordUpdate(txt));
                }
                else
                {
                    message.Updates.Add(new DeleteAllRecordsUpdate(name, Enum.Parse<RecordType>(record.Type, ignoreCase: true)));
                }

                replaced.Add($"{record.Name} {record.Type}");
            }
            else
            {
                added.Add($"{record.Name} {record.Type}");
            }

            message.Updates.Add(new AddRecordUpdate(ToRecord(record, name, ttl)));
        }

        if (message.Updates.Count > 0) await SendAsync(settings, zone, client, message, ct);

        audit.Record(actor, "dns.published", $"domain:{domain}", new { zone, added, replaced, removed }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return new DnsPublishResult(added, replaced, removed, message.Updates.Count > 0 ? await records.CheckAsync(domain, ct) : before);
    }

    /// <summary>
    /// The domain of ours whose RFC 2136 server can publish records at <paramref name="name"/>: the
    /// longest of our domains that is the name or a parent of it, with a publisher set up; null when none.
    /// </summary>
    public static async Task<string?> PublishingDomainAsync(AdminDbContext db, string name, CancellationToken ct = default)
    {
        name = name.TrimEnd('.').ToLowerInvariant();
        var domains = await db.DnsPublisherSettings.AsNoTracking().Select(p => p.Domain!.Name).ToListAsync(ct);
        return domains.Where(d => name == d || name.EndsWith("." + d, StringComparison.Ordinal)).OrderByDescending(d => d.Length).FirstOrDefault();
    }

    /// <summary>
    /// Adds (or deletes) exactly one TXT value at <paramref name="name"/> through the domain's RFC 2136
    /// server, leaving every other record there alone: the dns-01 challenge's _acme-challenge record (RFC
    /// 8555 §8.4), where two values may stand side by side (a name and its wildcard).
    /// </summary>
    public async Task UpdateTxtAsync(string domain, string name, string value, bool add, CancellationToken ct = default)
    {
        var settings = await FindAsync(await IdAsync(domain, ct), ct)
            ?? throw new DomainValidationException("publisher", $"{domain} has no RFC 2136 server set up: set the server, key name and secret on its DNS page.");
        var zone = settings.Zone ?? (await records.CheckAsync(domain, ct)).Zone ?? domain;
        var record = new TxtRecord(DomainName.Parse(name), 60, ZoneFile.Split(System.Text.Encoding.ASCII.GetBytes(value)).Select(System.Text.Encoding.ASCII.GetString));
        var message = new DnsUpdateMessage { ZoneName = DomainName.Parse(zone) };
        message.Updates.Add(add ? new AddRecordUpdate(record) : new DeleteRecordUpdate(record));
        await SendAsync(settings, zone, Client(settings), message, ct);
    }

    /// <summary>A client for the domain's RFC 2136 server (UDP, then TCP for a large answer).</summary>
    private ARSoft.Tools.Net.Dns.DnsClient Client(DnsPublisherSettings settings)
    {
        TryEndpoint(settings.Server, out var endpoint);
        return new ARSoft.Tools.Net.Dns.DnsClient([endpoint!.Address], [new UdpClientTransport(endpoint.Port), new TcpClientTransport(endpoint.Port)], false, (int)options.Value.CheckTimeout.TotalMilliseconds);
    }

    /// <summary>Signs the update with the domain's TSIG key (RFC 8945) and sends it; a refusal is a field error in words.</summary>
    private async Task SendAsync(DnsPublisherSettings settings, string zone, ARSoft.Tools.Net.Dns.DnsClient client, DnsUpdateMessage message, CancellationToken ct)
    {
        message.TSigOptions = new TSigRecord(DomainName.Parse(settings.KeyName), Algorithm(settings.Algorithm), DateTime.UtcNow, TimeSpan.FromMinutes(5), message.TransactionID, ReturnCode.NoError, null, _protector.Unprotect(settings.SealedSecret));
        var answer = await client.SendUpdateAsync(message, ct)
            ?? throw new DomainValidationException("server", $"{settings.Server} did not answer the update.");
        if (answer.ReturnCode != ReturnCode.NoError)
            throw new DomainValidationException("publisher", answer.ReturnCode switch
            {
                ReturnCode.NotAuthoritive => $"{settings.Server} refused the key {settings.KeyName} for {zone} (NOTAUTH): check the key name, algorithm and secret.",
                ReturnCode.Refused => $"{settings.Server} refused updates to {zone} (REFUSED): its allow-update or update-policy does not admit this key.",
                ReturnCode.NotZone => $"{zone} is not a zone on {settings.Server} (NOTZONE).",
                _ => $"{settings.Server} answered {answer.ReturnCode}; nothing was changed (an update applies whole or not at all).",
            });
    }

    private static DnsRecordBase ToRecord(DnsRecord record, DomainName name, int ttl)
    {
        var parts = record.Value.Split(' ');
        return record.Type switch
        {
            "TXT" => new TxtRecord(name, ttl, ZoneFile.Split(System.Text.Encoding.ASCII.GetBytes(record.Value)).Select(System.Text.Encoding.ASCII.GetString)),
            "MX" => new MxRecord(name, ttl, ushort.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), DomainName.Parse(parts[1].TrimEnd('.'))),
            "SRV" => new SrvRecord(name, ttl, ushort.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), ushort.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
                ushort.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), DomainName.Parse(parts[3].TrimEnd('.'))),
            "CNAME" => new CNameRecord(name, ttl, DomainName.Parse(record.Value.TrimEnd('.'))),
            "CAA" => new CAARecord(name, ttl, byte.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts[1], parts[2].Trim('"')),
            _ => throw new InvalidOperationException($"No way to publish a {record.Type} record."),
        };
    }

    /// <summary>A TSIG key name: a domain name of one or more labels (RFC 8945 §4.2), often a single one like "console-key".</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$")]
    private static partial System.Text.RegularExpressions.Regex KeyNamePattern();

    private static TSigAlgorithm Algorithm(string name) => name switch
    {
        "hmac-sha384" => TSigAlgorithm.Sha384,
        "hmac-sha512" => TSigAlgorithm.Sha512,
        _ => TSigAlgorithm.Sha256,
    };

    private static bool TryEndpoint(string text, out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (IPEndPoint.TryParse(text.Trim(), out var parsed))
        {
            endpoint = parsed.Port == 0 ? new IPEndPoint(parsed.Address, 53) : parsed;
            return true;
        }

        return false;
    }

    private async Task<Guid> IdAsync(string domain, CancellationToken ct) => (await db.DomainAsync(domain, ct)).Id;

    private Task<DnsPublisherSettings?> FindAsync(Guid domainId, CancellationToken ct) => db.DnsPublisherSettings.SingleOrDefaultAsync(s => s.DomainId == domainId, ct);

    private static DnsPublisherView View(DnsPublisherSettings s) => new(s.Server, s.Zone, s.KeyName, s.Algorithm, s.SealedSecret.Length > 0, s.UpdatedAt);
}
