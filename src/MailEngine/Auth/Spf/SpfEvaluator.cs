using System.Net;
using System.Net.Sockets;
using MailEngine.Dns;

namespace MailEngine.Auth.Spf;

/// <summary>
/// check_host() of RFC 7208 §4: is the client at <c>ip</c> allowed to send for a domain? DNS goes
/// through <see cref="IDnsLookup"/>, so this is pure code over DNS answers. The limits of §4.6.4
/// hold across include and redirect: ten mechanisms or modifiers that query DNS, ten MX or PTR names
/// each, two void lookups; past them the answer is permerror.
/// </summary>
public sealed class SpfEvaluator(IDnsLookup dns)
{
    public const int MaxDnsTerms = 10;
    public const int MaxVoidLookups = 2;
    public const int MaxNamesPerLookup = 10;

    /// <summary>Checks MAIL FROM (RFC 7208 §2.4): the sender's domain, or the HELO name's for the null sender.</summary>
    public Task<SpfVerdict> CheckMailFromAsync(IPAddress ip, string? mailFrom, string helo, CancellationToken ct)
    {
        var sender = string.IsNullOrEmpty(mailFrom) ? $"postmaster@{helo}" : mailFrom.Contains('@') ? mailFrom : $"postmaster@{mailFrom}";
        return CheckHostAsync(ip, sender[(sender.LastIndexOf('@') + 1)..], sender, helo, ct);
    }

    /// <summary>Checks the HELO identity (RFC 7208 §2.3): the HELO name as domain, postmaster@helo as sender.</summary>
    public Task<SpfVerdict> CheckHeloAsync(IPAddress ip, string helo, CancellationToken ct) => CheckHostAsync(ip, helo, $"postmaster@{helo}", helo, ct);

    public async Task<SpfVerdict> CheckHostAsync(IPAddress ip, string domain, string sender, string helo, CancellationToken ct)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        var run = new Run(ip, sender, helo);
        try
        {
            return await CheckAsync(run, domain.TrimEnd('.'), ct);
        }
        catch (SpfStop stop)
        {
            return new SpfVerdict(stop.Result, domain, null, stop.Message);
        }
    }

    /// <summary>One check_host() call and the budget it shares with the calls it makes.</summary>
    private sealed class Run(IPAddress ip, string sender, string helo)
    {
        public IPAddress Ip { get; } = ip;
        public string Sender { get; } = sender;
        public string Helo { get; } = helo;
        public int DnsTerms { get; set; }
        public int VoidLookups { get; set; }
        public string? ValidatedName { get; set; }
    }

    /// <summary>Ends the whole evaluation with temperror or permerror (§4.6.4, §5).</summary>
    private sealed class SpfStop(SpfResult result, string message) : Exception(message)
    {
        public SpfResult Result { get; } = result;
    }

    private async Task<SpfVerdict> CheckAsync(Run run, string domain, CancellationToken ct)
    {
        // §4.3: a domain that is not a usable name, or a single label, has no policy.
        if (!IsDomainName(domain)) return new SpfVerdict(SpfResult.None, domain, null, $"'{domain}' is not a domain name");

        var txt = await dns.QueryAsync(domain, DnsRecordKind.Txt, ct);
        if (txt.Status == DnsLookupStatus.Failed) return new SpfVerdict(SpfResult.TempError, domain, null, $"the TXT lookup for {domain} failed: {txt.Error}");
        var records = txt.Values.Where(SpfRecord.IsSpf).ToList();
        if (records.Count == 0) return new SpfVerdict(SpfResult.None, domain, null, $"{domain} has no SPF record");
        if (records.Count > 1) return new SpfVerdict(SpfResult.PermError, domain, null, $"{domain} has {records.Count} SPF records (RFC 7208 §4.5 allows one)");

        var record = SpfRecord.Parse(records[0]);
        if (record.Error is not null) return new SpfVerdict(SpfResult.PermError, domain, null, $"{domain}: {record.Error}");

        foreach (var directive in record.Directives)
        {
            var matched = await MatchAsync(run, domain, directive, ct);
            if (matched is SpfVerdict stopped) return stopped;
            if (matched is not true) continue;

            var result = directive.Qualifier switch { '-' => SpfResult.Fail, '~' => SpfResult.SoftFail, '?' => SpfResult.Neutral, _ => SpfResult.Pass };
            var explanation = result == SpfResult.Fail && record.Explanation is { } exp ? await ExplainAsync(run, domain, exp, ct) : null;
            return new SpfVerdict(result, domain, directive.Text, $"{domain} matched {directive.Text}", explanation);
        }

        if (record.Redirect is { } redirect)
        {
            Count(run, "redirect");
            var target = await TargetAsync(run, domain, redirect, ct);
            var verdict = await CheckAsync(run, target, ct);
            // §6.1: a redirect to a domain without a record is a permerror.
            return verdict.Result == SpfResult.None ? new SpfVerdict(SpfResult.PermError, target, null, $"redirect={target}: {verdict.Reason}") : verdict;
        }

        return new SpfVerdict(SpfResult.Neutral, domain, null, $"no term of {domain}'s record matched (the default is neutral)");
    }

    /// <summary>Whether a directive matches: true, false, or a verdict that ends this record (include's errors).</summary>
    private async Task<object> MatchAsync(Run run, string domain, SpfDirective directive, CancellationToken ct)
    {
        switch (directive.Name)
        {
            case "all":
                return true;
            case "ip4":
            case "ip6":
                return InNetwork(run.Ip, IPAddress.Parse(directive.Argument!), directive.Name == "ip4" ? directive.Cidr4 ?? 32 : directive.Cidr6 ?? 128);
            case "a":
            {
                Count(run, directive.Text);
                var target = await TargetAsync(run, domain, directive.Argument, ct);
                return await AddressesMatchAsync(run, target, directive, countVoid: true, ct);
            }
            case "mx":
            {
                Count(run, directive.Text);
                var target = await TargetAsync(run, domain, directive.Argument, ct);
                var mx = await LookupAsync(run, target, DnsRecordKind.Mx, countVoid: true, ct);
                if (mx.Count > MaxNamesPerLookup) throw new SpfStop(SpfResult.PermError, $"{target} has {mx.Count} MX records; SPF looks at {MaxNamesPerLookup} (RFC 7208 §4.6.4)");
                foreach (var host in mx)
                    if (await AddressesMatchAsync(run, host, directive, countVoid: false, ct)) return true;
                return false;
            }
            case "ptr":
            {
                Count(run, directive.Text);
                var target = await TargetAsync(run, domain, directive.Argument, ct);
                foreach (var name in await ValidatedNamesAsync(run, ct))
                    if (name.Equals(target, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + target, StringComparison.OrdinalIgnoreCase)) return true;
                return false;
            }
            case "exists":
            {
                Count(run, directive.Text);
                var target = await TargetAsync(run, domain, directive.Argument, ct);
                // §5.7: an A lookup whatever the client's address family.
                return (await LookupAsync(run, target, DnsRecordKind.A, countVoid: true, ct)).Count > 0;
            }
            default: // include
            {
                Count(run, directive.Text);
                var target = await TargetAsync(run, domain, directive.Argument, ct);
                var included = await CheckAsync(run, target, ct);
                return included.Result switch
                {
                    SpfResult.Pass => true,
                    SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => false,
                    SpfResult.TempError => included,
                    // §5.2: an included domain without a record, or with a broken one, is a permerror.
                    _ => new SpfVerdict(SpfResult.PermError, included.Domain, null, $"{directive.Text}: {included.Reason}"),
                };
            }
        }
    }

    private async Task<bool> AddressesMatchAsync(Run run, string host, SpfDirective directive, bool countVoid, CancellationToken ct)
    {
        var v6 = run.Ip.AddressFamily == AddressFamily.InterNetworkV6;
        var addresses = await LookupAsync(run, host, v6 ? DnsRecordKind.Aaaa : DnsRecordKind.A, countVoid, ct);
        var prefix = v6 ? directive.Cidr6 ?? 128 : directive.Cidr4 ?? 32;
        return addresses.Any(a => IPAddress.TryParse(a, out var address) && InNetwork(run.Ip, address, prefix));
    }

    /// <summary>
    /// The client's validated names (§5.5): each PTR name (ten at most) whose A/AAAA records include
    /// the client's address. Looked up once per run; lookup failures here mean no names, not an error.
    /// </summary>
    private async Task<IReadOnlyList<string>> ValidatedNamesAsync(Run run, CancellationToken ct)
    {
        var names = await dns.QueryAsync(DnsNames.Reverse(run.Ip), DnsRecordKind.Ptr, ct);
        var validated = new List<string>();
        foreach (var name in names.Values.Take(MaxNamesPerLookup))
        {
            var forward = await dns.QueryAsync(name, run.Ip.AddressFamily == AddressFamily.InterNetworkV6 ? DnsRecordKind.Aaaa : DnsRecordKind.A, ct);
            if (forward.Values.Any(a => IPAddress.TryParse(a, out var address) && address.Equals(run.Ip))) validated.Add(name.TrimEnd('.'));
        }

        return validated;
    }

    /// <summary>A lookup inside a mechanism: a failure ends the check with temperror; an empty answer may count as void.</summary>
    private async Task<IReadOnlyList<string>> LookupAsync(Run run, string name, DnsRecordKind kind, bool countVoid, CancellationToken ct)
    {
        var answer = await dns.QueryAsync(name, kind, ct);
        if (answer.Status == DnsLookupStatus.Failed) throw new SpfStop(SpfResult.TempError, $"the {kind} lookup for {name} failed: {answer.Error}");
        if (answer.Status is DnsLookupStatus.NoRecords or DnsLookupStatus.NoSuchDomain && countVoid && ++run.VoidLookups > MaxVoidLookups)
            throw new SpfStop(SpfResult.PermError, $"more than {MaxVoidLookups} lookups found nothing (RFC 7208 §4.6.4), the last {kind} {name}");
        return answer.Values;
    }

    private static void Count(Run run, string term)
    {
        if (++run.DnsTerms > MaxDnsTerms) throw new SpfStop(SpfResult.PermError, $"more than {MaxDnsTerms} DNS-querying terms (RFC 7208 §4.6.4), at {term}");
    }

    /// <summary>The domain a term names: its expanded domain-spec, or the current domain; over 253 characters, left labels go (§7.3).</summary>
    private async Task<string> TargetAsync(Run run, string domain, string? spec, CancellationToken ct)
    {
        if (spec is null) return domain;
        if (SpfMacro.NeedsValidatedName(spec)) run.ValidatedName ??= (await ValidatedNamesAsync(run, ct)).FirstOrDefault() ?? "unknown";
        var expanded = SpfMacro.Expand(spec, Context(run, domain)) ?? throw new SpfStop(SpfResult.PermError, $"'{spec}': bad macro (RFC 7208 §7)");
        expanded = expanded.TrimEnd('.');
        while (expanded.Length > 253 && expanded.IndexOf('.') is > 0 and var dot) expanded = expanded[(dot + 1)..];
        return expanded;
    }

    /// <summary>The explanation of a Fail (§6.2): the TXT of the exp= domain, macro-expanded; any problem means none.</summary>
    private async Task<string?> ExplainAsync(Run run, string domain, string exp, CancellationToken ct)
    {
        try
        {
            var target = await TargetAsync(run, domain, exp, ct);
            var txt = await dns.QueryAsync(target, DnsRecordKind.Txt, ct);
            return txt.Values.Count == 1 ? SpfMacro.Expand(txt.Values[0], Context(run, domain), explanation: true) : null;
        }
        catch (SpfStop)
        {
            return null;
        }
    }

    private static SpfMacroContext Context(Run run, string domain) => new(run.Ip, run.Sender, domain, run.Helo, run.ValidatedName);

    private static bool InNetwork(IPAddress ip, IPAddress network, int prefix)
    {
        if (ip.AddressFamily != network.AddressFamily) return false;
        var (a, b) = (ip.GetAddressBytes(), network.GetAddressBytes());
        for (var i = 0; i < a.Length && prefix > 0; i++, prefix -= 8)
        {
            var mask = prefix >= 8 ? 0xFF : (byte)(0xFF << (8 - prefix));
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }

        return true;
    }

    /// <summary>§4.3: at least two labels, each 1-63 characters, 253 at most; else there is nothing to check.</summary>
    private static bool IsDomainName(string domain) =>
        domain.Length is > 0 and <= 253 && domain.Contains('.') && domain.Split('.').All(l => l.Length is > 0 and <= 63);
}
