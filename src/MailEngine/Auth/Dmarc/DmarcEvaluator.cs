using MailEngine.Addressing;
using MailEngine.Auth.Dkim;
using MailEngine.Auth.Spf;
using MailEngine.Dns;

namespace MailEngine.Auth.Dmarc;

/// <summary>
/// DMARC (RFC 7489) for one author domain: policy discovery (§6.6.3: the From domain's _dmarc
/// record, else its organizational domain's by the Public Suffix List), identifier alignment (§3.1)
/// of the SPF-authenticated MAIL FROM domain and of each passing DKIM signature's d=, and the policy
/// to apply with pct= sampling (§6.6.4). DMARCbis is read where it is compatible: np= for a From
/// domain that does not exist, t=y as "apply one policy lower".
/// </summary>
/// <param name="sample">A number from 0 to 99 for the pct= draw; tests pass a fixed one.</param>
public sealed class DmarcEvaluator(IDnsLookup dns, PublicSuffixList suffixes, Func<int>? sample = null)
{
    private readonly Func<int> _sample = sample ?? (() => Random.Shared.Next(100));

    /// <param name="fromDomain">The RFC 5322.From domain.</param>
    /// <param name="spfDomain">The domain SPF checked: MAIL FROM's, or HELO's for the null sender (§4.1).</param>
    public async Task<DmarcVerdict> EvaluateAsync(string fromDomain, SpfVerdict? spf, string? spfDomain, IReadOnlyList<DkimSignatureVerdict> dkim, CancellationToken ct)
    {
        fromDomain = fromDomain.TrimEnd('.').ToLowerInvariant();
        var organizational = Organizational(fromDomain);
        var (record, recordDomain, problem) = await DiscoverAsync(fromDomain, organizational, ct);
        if (problem is not null) return problem;
        if (record is null) return new DmarcVerdict(DmarcResult.None, fromDomain, $"no DMARC record at _dmarc.{fromDomain}" + (organizational != fromDomain ? $" or _dmarc.{organizational}" : ""));

        var spfAligned = spf?.Result == SpfResult.Pass && spfDomain is not null && Aligned(spfDomain, fromDomain, record.SpfAlignment);
        var dkimAligned = dkim.Any(d => d.Result == DkimResult.Pass && !d.Testing && Aligned(d.Domain, fromDomain, record.DkimAlignment));
        var policy = await PolicyForAsync(record, fromDomain, recordDomain!, ct);
        if (spfAligned || dkimAligned)
        {
            var how = string.Join(" and ", new[] { spfAligned ? $"SPF ({spfDomain})" : null, dkimAligned ? $"DKIM ({string.Join(", ", dkim.Where(d => d.Result == DkimResult.Pass && Aligned(d.Domain, fromDomain, record.DkimAlignment)).Select(d => d.Domain).Distinct())})" : null }.OfType<string>());
            return new DmarcVerdict(DmarcResult.Pass, fromDomain, $"{how} aligned with {fromDomain}", policy, DmarcPolicy.None, spfAligned, dkimAligned, recordDomain, record);
        }

        var disposition = policy;
        var sampledOut = record.Testing || (record.Percent < 100 && _sample() >= record.Percent);
        if (sampledOut && disposition != DmarcPolicy.None) disposition = disposition == DmarcPolicy.Reject ? DmarcPolicy.Quarantine : DmarcPolicy.None;
        var why = new List<string>();
        why.Add(spf?.Result == SpfResult.Pass ? $"SPF passed for {spfDomain}, which is not aligned with {fromDomain}" : $"SPF did not pass ({spf?.Keyword ?? "not checked"})");
        var passing = dkim.Where(d => d.Result == DkimResult.Pass).ToList();
        why.Add(dkim.Count == 0 ? "no DKIM signature" : passing.Count == 0 ? "no DKIM signature passed" : $"DKIM passed for {string.Join(", ", passing.Select(d => d.Domain).Distinct())}, not aligned with {fromDomain}");
        if (sampledOut) why.Add(record.Testing ? "t=y: the policy is applied one step lower" : $"outside the pct={record.Percent} sample: the policy is applied one step lower");
        return new DmarcVerdict(DmarcResult.Fail, fromDomain, string.Join("; ", why), policy, disposition, false, false, recordDomain, record);
    }

    /// <summary>Relaxed: the same organizational domain; strict: the same name (§3.1.1, §3.1.2).</summary>
    public bool Aligned(string identifier, string fromDomain, DmarcAlignment mode)
    {
        identifier = identifier.TrimEnd('.').ToLowerInvariant();
        return mode == DmarcAlignment.Strict
            ? identifier == fromDomain
            : Organizational(identifier) == Organizational(fromDomain);
    }

    private string Organizational(string domain) => suffixes.OrganizationalDomain(domain) ?? domain;

    /// <summary>§6.6.3: the From domain's record, then the organizational domain's; several records, or none, is no policy.</summary>
    private async Task<(DmarcRecord? Record, string? Domain, DmarcVerdict? Problem)> DiscoverAsync(string fromDomain, string organizational, CancellationToken ct)
    {
        foreach (var domain in organizational == fromDomain ? [fromDomain] : new[] { fromDomain, organizational })
        {
            var name = $"_dmarc.{domain}";
            var answer = await dns.QueryAsync(name, DnsRecordKind.Txt, ct);
            if (answer.Status == DnsLookupStatus.Failed)
                return (null, null, new DmarcVerdict(DmarcResult.TempError, fromDomain, $"the lookup of {name} failed: {answer.Error}"));
            var records = answer.Values.Where(DmarcRecord.IsDmarc).ToList();
            if (records.Count > 1)
                return (null, null, new DmarcVerdict(DmarcResult.None, fromDomain, $"{name} has {records.Count} DMARC records, so none applies (RFC 7489 §6.6.3)"));
            if (records.Count == 0) continue;
            if (!DmarcRecord.TryParse(records[0], out var record, out var error))
                return (null, null, new DmarcVerdict(DmarcResult.PermError, fromDomain, $"{name}: {error}"));
            return (record, domain, null);
        }

        return (null, null, null);
    }

    /// <summary>
    /// p= for the domain that published the record; for a subdomain found through its organizational
    /// domain, sp= (default p=), or DMARCbis's np= when the From domain does not exist at all.
    /// </summary>
    private async Task<DmarcPolicy> PolicyForAsync(DmarcRecord record, string fromDomain, string recordDomain, CancellationToken ct)
    {
        if (recordDomain == fromDomain) return record.Policy;
        if (record.NonExistentPolicy is { } np)
        {
            // NXDOMAIN holds for every type: one query answers "does this name exist".
            var exists = await dns.QueryAsync(fromDomain, DnsRecordKind.A, ct);
            if (exists.Status == DnsLookupStatus.NoSuchDomain) return np;
        }

        return record.SubdomainPolicy ?? record.Policy;
    }
}
