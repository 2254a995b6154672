using MailEngine.Dns;

namespace MailEngine.Tests.Support;

/// <summary>
/// DNS answers from a zone written in the test (the pure-code checks take DNS answers in): a name
/// with records of another type answers "no records", an unknown name "no such domain", a name
/// marked failing a server failure. Counts the queries, so limits can be seen to hold.
/// </summary>
public sealed class ZoneLookup : IDnsLookup
{
    private readonly Dictionary<(string Name, DnsRecordKind Kind), List<string>> _records = [];
    private readonly HashSet<string> _failing = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _signed = new(StringComparer.OrdinalIgnoreCase);

    private int _queries;

    /// <summary>Queries so far (the engine's sessions ask at once, hence the interlocked count).</summary>
    public int Queries => _queries;

    public ZoneLookup Add(string name, DnsRecordKind kind, params string[] values)
    {
        var key = (name.ToLowerInvariant().TrimEnd('.'), kind);
        if (!_records.TryGetValue(key, out var list)) _records[key] = list = [];
        list.AddRange(values);
        return this;
    }

    public ZoneLookup Fail(string name)
    {
        _failing.Add(name.TrimEnd('.'));
        return this;
    }

    /// <summary>Answers for this zone (the name and below) come back DNSSEC-validated, as from a validating resolver on loopback.</summary>
    public ZoneLookup Signed(string zone)
    {
        _signed.Add(zone.TrimEnd('.'));
        return this;
    }

    private bool IsSigned(string name) => _signed.Any(z => name.Equals(z, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + z, StringComparison.OrdinalIgnoreCase));

    public Task<DnsLookup> QueryAsync(string name, DnsRecordKind kind, CancellationToken ct)
    {
        Interlocked.Increment(ref _queries);
        var key = name.ToLowerInvariant().TrimEnd('.');
        if (_failing.Contains(key)) return Task.FromResult(new DnsLookup(DnsLookupStatus.Failed, [], $"{name}: server failure"));
        var signed = IsSigned(key);
        if (_records.TryGetValue((key, kind), out var values)) return Task.FromResult(DnsLookup.Of([.. values]) with { Authenticated = signed });
        var exists = _records.Keys.Any(k => k.Name == key);
        return Task.FromResult(new DnsLookup(exists ? DnsLookupStatus.NoRecords : DnsLookupStatus.NoSuchDomain, []) { Authenticated = signed });
    }
}
