using System.Text.RegularExpressions;
using MailEngine.Contracts;

namespace MailEngine.Scanner;

/// <summary>Where a rule runs under Hyperscan.</summary>
public enum RulePlacement
{
    /// <summary>In the Hyperscan database: its matches are final.</summary>
    Hyperscan,

    /// <summary>In the database with HS_FLAG_PREFILTER (a superset of its matches), each match confirmed by .NET.</summary>
    Prefilter,

    /// <summary>Hyperscan cannot take it even as a prefilter: .NET alone, on every message.</summary>
    ManagedOnly,
}

/// <summary>
/// The rules compiled for one tier: one pattern database per target (all rules on that target in
/// it, so each target is scanned in one pass), the rules Hyperscan cannot take placed as prefilters
/// with a .NET confirmation or left to .NET alone, and each rule's placement kept for the
/// diagnostics page.
/// </summary>
public sealed class CompiledRules : IDisposable
{
    private readonly SpamRule[] _rules;
    private readonly List<(string Target, IPatternMatcher Matcher, uint[] Ids)> _targets = [];
    private readonly Dictionary<uint, Regex> _confirm = [];
    private readonly List<(string Target, uint Id, Regex Regex)> _managedOnly = [];

    private readonly string? _cacheDirectory;

    /// <param name="cacheDirectory">Where compiled databases are kept between starts (hs_serialize_database), named by a hash of the
    /// patterns, the library version and the CPU target: a restart loads them in milliseconds instead of compiling for seconds.</param>
    public CompiledRules(IReadOnlyList<SpamRule> rules, ScannerTier tier, string? cacheDirectory = null)
    {
        _cacheDirectory = cacheDirectory;
        Tier = tier;
        _rules = [.. rules];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var placements = new RulePlacement[_rules.Length];
        foreach (var group in Enumerable.Range(0, _rules.Length).GroupBy(i => _rules[i].Target, StringComparer.OrdinalIgnoreCase))
        {
            var patterns = group.Select(i => _rules[i].ToPattern((uint)i)).ToList();
            if (tier == ScannerTier.Managed)
            {
                _targets.Add((group.Key, new ManagedPatternMatcher(patterns), [.. patterns.Select(p => p.Id)]));
                continue;
            }

            var baseline = tier == ScannerTier.Ssse3Baseline;
            var prefilter = new HashSet<uint>();
            var database = PlaceAndCompile(patterns, baseline, prefilter, placements);
            foreach (var id in prefilter) _confirm[id] = ManagedPatternMatcher.Compile(_rules[id].Pattern, patterns.First(p => p.Id == id).Options);
            if (database != 0)
            {
                var matcher = new HyperscanPatternMatcher((database, TimeSpan.Zero), baseline);
                DatabaseBytes += matcher.Size;
                DatabaseInfo = matcher.Info;
                _targets.Add((group.Key, matcher, [.. patterns.Select(p => p.Id)]));
            }
        }

        CompileTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Placements = Enumerable.Range(0, _rules.Length).ToDictionary(i => _rules[i].Name, i => tier == ScannerTier.Managed ? RulePlacement.ManagedOnly : placements[i], StringComparer.Ordinal);
    }

    public ScannerTier Tier { get; }

    /// <summary>The matcher of one target's database (benchmarks); null when no rule has that target.</summary>
    public IPatternMatcher? MatcherFor(string target) => _targets.FirstOrDefault(t => t.Target.Equals(target, StringComparison.OrdinalIgnoreCase)).Matcher;
    public IReadOnlyList<SpamRule> Rules => _rules;
    public IReadOnlyDictionary<string, RulePlacement> Placements { get; }
    public TimeSpan CompileTime { get; }
    public long DatabaseBytes { get; }

    /// <summary>hs_database_info of the databases (they share the target platform); empty for the managed tier.</summary>
    public string DatabaseInfo { get; } = string.Empty;

    /// <summary>
    /// Compiles every pattern Hyperscan takes; a refused one (the compile error names it) becomes a
    /// prefilter if it compiles that way, else managed-only, and the rest are compiled again.
    /// </summary>
    private nint PlaceAndCompile(List<ScanPattern> patterns, bool baseline, HashSet<uint> prefilter, RulePlacement[] placements)
    {
        var remaining = new List<ScanPattern>();
        foreach (var p in patterns)
        {
            // hs_expression_info parses without compiling: most placements are decided here, cheaply.
            if (HyperscanPatternMatcher.Accepts(p, prefilter: false)) remaining.Add(p);
            else if (HyperscanPatternMatcher.Accepts(p, prefilter: true))
            {
                prefilter.Add(p.Id);
                remaining.Add(p);
            }
            else
            {
                placements[p.Id] = RulePlacement.ManagedOnly;
                _managedOnly.Add((_rules[p.Id].Target, p.Id, ManagedPatternMatcher.Compile(p.Expression, p.Options)));
            }
        }

        var cached = CachePath(remaining, baseline, prefilter);
        if (cached is not null && File.Exists(cached) && HyperscanPatternMatcher.Deserialize(File.ReadAllBytes(cached)) is var loaded and not 0)
        {
            foreach (var p in remaining) placements[p.Id] = prefilter.Contains(p.Id) ? RulePlacement.Prefilter : RulePlacement.Hyperscan;
            return loaded;
        }

        // What only the compiler refuses (a pattern too large, one that matches the empty buffer) is found here, one at a time.
        var first = true;
        while (remaining.Count > 0)
        {
            var (database, error) = HyperscanPatternMatcher.TryCompile(remaining, baseline, prefilter);
            if (database != 0)
            {
                foreach (var p in remaining) placements[p.Id] = prefilter.Contains(p.Id) ? RulePlacement.Prefilter : RulePlacement.Hyperscan;
                if (first && cached is not null) Save(cached, database);
                return database;
            }

            first = false;

            if (error!.Value.Index < 0) throw new InvalidOperationException($"Hyperscan failed: {error.Value.Message}");
            var refused = remaining[error.Value.Index];
            if (!prefilter.Contains(refused.Id))
            {
                var (alone, _) = HyperscanPatternMatcher.TryCompile([refused], baseline, new HashSet<uint> { refused.Id });
                if (alone != 0)
                {
                    HyperscanPatternMatcher.Free(alone);
                    prefilter.Add(refused.Id);
                    continue;
                }
            }

            prefilter.Remove(refused.Id);
            remaining.RemoveAt(error.Value.Index);
            placements[refused.Id] = RulePlacement.ManagedOnly;
            _managedOnly.Add((_rules[refused.Id].Target, refused.Id, ManagedPatternMatcher.Compile(refused.Expression, refused.Options)));
        }

        return 0;
    }

    /// <summary>The names of the rules that match, from one pass over each target's text.</summary>
    public IReadOnlySet<string> Scan(MessageAnalysis message)
    {
        var matched = new HashSet<uint>();
        foreach (var (target, matcher, _) in _targets) matcher.Match(message.Target(target), matched);
        if (_confirm.Count > 0)
            foreach (var id in matched.Where(_confirm.ContainsKey).ToList())
                if (!ManagedPatternMatcher.IsMatch(_confirm[id], message.Target(_rules[id].Target).Text)) matched.Remove(id);
        foreach (var (target, id, regex) in _managedOnly)
            if (ManagedPatternMatcher.IsMatch(regex, message.Target(target).Text)) matched.Add(id);
        return matched.Select(i => _rules[i].Name).ToHashSet(StringComparer.Ordinal);
    }

    private string? CachePath(List<ScanPattern> patterns, bool baseline, HashSet<uint> prefilter)
    {
        if (_cacheDirectory is null) return null;
        var key = new System.Text.StringBuilder(HyperscanPatternMatcher.PlatformKey(baseline));
        foreach (var p in patterns) key.Append('\n').Append(p.Id).Append(' ').Append(p.Caseless).Append(p.Multiline).Append(p.DotAll).Append(prefilter.Contains(p.Id)).Append(' ').Append(p.Expression);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key.ToString())));
        return Path.Combine(_cacheDirectory, hash[..32] + ".hsdb");
    }

    /// <summary>Keeps a compiled database for the next start; a cache that cannot be written only costs the next start its compile time.</summary>
    private static void Save(string path, nint database)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Storage.DurableFile.WriteAllBytes(path, HyperscanPatternMatcher.Serialize(database));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(ScannerTier, string), Lazy<CompiledRules>> SharedSets = new();

    /// <summary>
    /// The rules compiled once per process for a tier (compiling several hundred patterns takes
    /// seconds): engines, self-tests and tests in one process share them, and they are never disposed.
    /// </summary>
    public static CompiledRules Shared(IReadOnlyList<SpamRule> rules, ScannerTier tier, string? cacheDirectory = null)
    {
        var key = string.Join('\n', rules.Select(r => $"{r.Name} {r.Target} {r.Flags} {r.Pattern}"));
        return SharedSets.GetOrAdd((tier, key), _ => new Lazy<CompiledRules>(() => new CompiledRules(rules, tier, cacheDirectory))).Value;
    }

    public void Dispose()
    {
        foreach (var (_, matcher, _) in _targets) matcher.Dispose();
    }
}
