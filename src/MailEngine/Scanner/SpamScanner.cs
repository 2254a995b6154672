using System.Diagnostics;
using System.Text;
using MailEngine.Contracts;
using Microsoft.Extensions.Logging;

namespace MailEngine.Scanner;

/// <summary>The scanner's settings (section "Engine:Scanner").</summary>
public sealed class ScannerOptions
{
    /// <summary>Scan mail arriving at the MX listener (authenticated submissions are never scanned).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A Hyperscan library to load instead of libhs.so.5 from the system (a hand-built one); missing means the managed tier.</summary>
    public string? LibraryPath { get; set; }

    /// <summary>
    /// Where compiled databases are kept (default: scanner/cache in the state folder). Files are named by
    /// their content (patterns, library version, CPU target), so engines on one machine may share a folder.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>A folder of extra *.rules files; a rule there replaces a shipped one of the same name.</summary>
    public string? RulesDirectory { get; set; }

    /// <summary>
    /// How long the end of DATA waits for the rules' first compilation (the listeners open before it,
    /// issue #14); past it the message is refused with 451 4.3.0 and nothing is kept.
    /// </summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Tests only: the first compilation starts when this completes (a cold cache that never ends on its own).</summary>
    internal Task? HoldCompilation { get; set; }
}

/// <summary>A message of the built-in corpus with the symbols it must raise (Stalwart's "expect" test files).</summary>
public sealed record ExpectedMessage(string Name, IReadOnlySet<string> Expected, IReadOnlySet<string> Unexpected, byte[] Message);

/// <summary>
/// The spam scanner: the rules compiled for the tier this machine can trust (<see cref="ScannerTiers"/>),
/// the Bayes model, and the verdict for a domain. Rules and symbols are scanned once per message;
/// each domain's settings turn the symbols into its score. The tier can be forced by an
/// administrator (recorded in the state folder, so it holds across restarts).
/// </summary>
public sealed class SpamScanner
{
    private readonly ScannerOptions _options;
    private readonly string _forcedTierFile;
    private readonly string _cacheDirectory;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private volatile Selection? _current;
    private readonly Task _firstBuild;

    /// <summary>The tier in use and its rules, swapped as one when an administrator forces a tier.</summary>
    private sealed record Selection(ScannerPlatform Platform, CompiledRules Compiled);

    public SpamScanner(ScannerOptions options, string stateDirectory, ILogger logger)
    {
        _options = options;
        _logger = logger;
        var directory = Path.Combine(stateDirectory, "scanner");
        Directory.CreateDirectory(directory);
        _forcedTierFile = Path.Combine(directory, "forced-tier");
        _cacheDirectory = options.CacheDirectory ?? Path.Combine(directory, "cache");
        Rules = RuleFile.Load(options.RulesDirectory);
        Scores = ScoresOf(Rules);
        Bayes = new BayesClassifier(Path.Combine(directory, "bayes.model"));
        ForcedTier = File.Exists(_forcedTierFile) && Enum.TryParse<ScannerTier>(File.ReadAllText(_forcedTierFile).Trim(), out var t) ? t : null;
        // Compiling several hundred patterns takes seconds (more on a cold cache or a loaded machine), so it
        // runs in the background and the listeners open at once; the databases are kept in scanner/cache, so
        // a restart usually loads them. A scan before it is done waits for it (WaitReadyAsync).
        var forced = ForcedTier;
        _firstBuild = Task.Run(async () =>
        {
            if (options.HoldCompilation is { } hold) await hold;
            var built = Build(forced);
            lock (_gate) _current ??= built; // a tier forced meanwhile has already replaced it
        });
    }

    /// <summary>Whether the rules are compiled (false only in the seconds after start).</summary>
    public bool Ready => _current is not null;

    /// <summary>Waits at most <paramref name="timeout"/> for the first compilation; false when it is still running.</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (_current is not null) return true;
        try
        {
            await _firstBuild.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            return false;
        }

        return _current is not null;
    }

    /// <summary>The selection in use, waiting for the first compilation if it is still running.</summary>
    private Selection Current
    {
        get
        {
            if (_current is { } current) return current;
            _firstBuild.GetAwaiter().GetResult();
            return _current!;
        }
    }

    public IReadOnlyList<SpamRule> Rules { get; }

    /// <summary>Every symbol's default score: the rules' and the Bayes bands'.</summary>
    public IReadOnlyDictionary<string, double> Scores { get; }

    public BayesClassifier Bayes { get; }
    public ScannerPlatform Platform => Current.Platform;
    public CompiledRules Compiled => Current.Compiled;

    /// <summary>The tier detection alone, without waiting for the rules (the diagnostics page while compiling).</summary>
    public ScannerPlatform DetectedPlatform => _current?.Platform ?? ScannerTiers.Detect(_options.LibraryPath, ForcedTier);
    public ScannerTier? ForcedTier { get; private set; }

    /// <summary>Every symbol's default score: the rules', the Bayes bands' and the authentication results'.</summary>
    public static IReadOnlyDictionary<string, double> ScoresOf(IEnumerable<SpamRule> rules) =>
        rules.Select(r => (r.Name, r.Score)).Concat(BayesBand.All.Select(b => (b.Name, b.Score))).Concat(AuthenticationSymbol.All.Select(a => (a.Name, a.Score)))
            .ToDictionary(p => p.Name, p => p.Score, StringComparer.Ordinal);

    private Selection Build(ScannerTier? forced)
    {
        var platform = ScannerTiers.Detect(_options.LibraryPath, forced);
        var compiled = CompiledRules.Shared(Rules, platform.Tier, _cacheDirectory);
        _logger.LogInformation("Spam scanner: {Tier} tier ({Reason}); {Rules} rules compiled in {Ms} ms", platform.Tier, platform.Reason, Rules.Count, (int)compiled.CompileTime.TotalMilliseconds);
        return new Selection(platform, compiled);
    }

    /// <summary>Forces a tier (null: choose again), recompiles, and records the choice for restarts.</summary>
    public ScannerPlatform Force(ScannerTier? tier)
    {
        lock (_gate)
        {
            if (tier is null) File.Delete(_forcedTierFile);
            else Storage.DurableFile.WriteAllBytes(_forcedTierFile, Encoding.ASCII.GetBytes(tier.Value.ToString()));
            // The previous set stays in the process-wide cache: scans in flight finish with it.
            var built = Build(tier);
            _current = built;
            ForcedTier = tier;
            return built.Platform;
        }
    }

    /// <summary>Scans a message: the rules that match and, once the model has learned enough, the Bayes band.</summary>
    public SpamScanResult Scan(MessageAnalysis message) => Scan(message, Compiled);

    public SpamScanResult Scan(MessageAnalysis message, CompiledRules compiled)
    {
        var symbols = compiled.Scan(message).ToList();
        var probability = Bayes.Classify(BayesClassifier.Tokenize(message));
        if (probability is { } p && BayesClassifier.Band(p) is { } band) symbols.Add(band.Name);
        symbols.Sort(StringComparer.Ordinal);
        return new SpamScanResult(symbols, probability is { } q ? Math.Round(q, 4) : null);
    }

    public SpamScanResult Scan(Stream message) => Scan(MessageAnalysis.Load(message));

    public SpamVerdict Evaluate(SpamScanResult scan, SpamPolicy policy) => SpamVerdict.Evaluate(scan, policy, Scores);

    /// <summary>The built-in corpus: messages with the symbols they must (and must not) raise, in Scanner/SelfTest/*.msg.</summary>
    public static IReadOnlyList<ExpectedMessage> BuiltInCorpus { get; } = LoadCorpus();

    private static List<ExpectedMessage> LoadCorpus()
    {
        var assembly = typeof(SpamScanner).Assembly;
        var corpus = new List<ExpectedMessage>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".msg", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            corpus.AddRange(ParseExpectations(name.Replace("MailEngine.Scanner.SelfTest.", string.Empty, StringComparison.Ordinal), buffer.ToArray()));
        }

        return corpus;
    }

    /// <summary>
    /// A test file: "expect SYMBOL …" and "!expect SYMBOL …" lines, an empty line, the message; several
    /// messages in one file are separated by a line "&lt;!-- NEXT TEST --&gt;" (as Stalwart's files are).
    /// </summary>
    public static IEnumerable<ExpectedMessage> ParseExpectations(string name, byte[] content)
    {
        var text = Encoding.UTF8.GetString(content).Replace("\r\n", "\n", StringComparison.Ordinal);
        var index = 0;
        foreach (var section in text.Split("\n<!-- NEXT TEST -->\n"))
        {
            index++;
            var split = section.IndexOf("\n\n", StringComparison.Ordinal);
            if (split < 0) throw new FormatException($"{name} #{index}: expect lines, an empty line, then the message");
            var expected = new HashSet<string>(StringComparer.Ordinal);
            var unexpected = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in section[..split].Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var into = words[0] switch { "expect" => expected, "!expect" => unexpected, _ => throw new FormatException($"{name} #{index}: '{line}' is not an expect line") };
                foreach (var w in words.Skip(1)) into.Add(w);
            }

            var message = section[(split + 2)..].Replace("\n", "\r\n", StringComparison.Ordinal);
            yield return new ExpectedMessage($"{name} #{index}", expected, unexpected, Encoding.UTF8.GetBytes(message));
        }
    }

    /// <summary>
    /// Scans the built-in corpus (or the given messages) with every tier this machine can run, timing
    /// each (repeated to about <paramref name="budget"/> per tier), and lists every message on which
    /// the tiers' symbols differ and every expectation a tier misses.
    /// </summary>
    public ScannerSelfTest SelfTest(IReadOnlyList<ExpectedMessage>? corpus = null, TimeSpan? budget = null)
    {
        corpus ??= BuiltInCorpus;
        var perTier = budget ?? TimeSpan.FromSeconds(1);
        var analyses = corpus.Select(m => (m, MessageAnalysis.Load(m.Message))).ToList();
        var tiers = new List<ScannerTier>();
        if (Platform.LibraryFound && Platform.ValidPlatform && System.Runtime.Intrinsics.X86.Ssse3.IsSupported) tiers.AddRange([ScannerTier.Native, ScannerTier.Ssse3Baseline]);
        tiers.Add(ScannerTier.Managed);
        var results = new List<TierSelfTest>();
        var symbolsByTier = new Dictionary<ScannerTier, List<IReadOnlySet<string>>>();
        var failures = new List<string>();
        foreach (var tier in tiers)
        {
            var rules = CompiledRules.Shared(Rules, tier, _cacheDirectory);
            var found = analyses.Select(a => rules.Scan(a.Item2)).ToList();
            symbolsByTier[tier] = found;
            var missed = 0;
            foreach (var ((message, _), symbols) in analyses.Zip(found))
            {
                var missing = message.Expected.Where(e => !symbols.Contains(e) && Scores.ContainsKey(e) && !e.StartsWith("BAYES_", StringComparison.Ordinal)).ToList();
                var extra = message.Unexpected.Where(symbols.Contains).ToList();
                if (missing.Count + extra.Count == 0) continue;
                missed++;
                failures.Add($"{tier}: {message.Name}: {(missing.Count > 0 ? "missing " + string.Join(' ', missing) : string.Empty)}{(extra.Count > 0 ? " unexpected " + string.Join(' ', extra) : string.Empty)}".TrimEnd());
            }

            // Timing: fresh analyses each round (the analysis is part of a scan's cost, as in the pipeline).
            var bytes = corpus.Sum(m => (long)m.Message.Length);
            var started = Stopwatch.GetTimestamp();
            var rounds = 0;
            do
            {
                foreach (var m in corpus) rules.Scan(MessageAnalysis.Load(m.Message));
                rounds++;
            }
            while (Stopwatch.GetElapsedTime(started) < perTier);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            results.Add(new TierSelfTest(tier, rounds * corpus.Count, rounds * bytes, Math.Round(seconds, 3),
                Math.Round(rounds * corpus.Count / seconds, 1), Math.Round(rounds * bytes / seconds / 1e6, 2), missed));
        }

        var disagreements = new List<string>();
        var reference = symbolsByTier[tiers[0]];
        for (var i = 0; i < analyses.Count; i++)
            foreach (var tier in tiers.Skip(1))
                if (!symbolsByTier[tier][i].SetEquals(reference[i]))
                    disagreements.Add($"{analyses[i].m.Name}: {tiers[0]} [{string.Join(' ', reference[i].Order())}] but {tier} [{string.Join(' ', symbolsByTier[tier][i].Order())}]");
        return new ScannerSelfTest(results, disagreements, failures);
    }
}
