using System.Diagnostics;
using System.Globalization;
using MailEngine.Scanner;

// bench/spam.sh runs this:
//   ScannerBench throughput CORPUS [PASSES]   messages/s and MB/s per tier, one thread (= per core)
//   ScannerBench dump CORPUS OUT [PASSES]     body buffers + the native body database for the C loop, and the P/Invoke loop's time
//   ScannerBench eval CORPUS OUT              our accuracy on the held-out split; writes the split's file lists for SpamAssassin
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var mode = args[0];
var corpus = args[1];
var spamFolders = new[] { "spam-1", "spam-2" };
var hamFolders = new[] { "easy-ham-1", "easy-ham-2", "hard-ham-1" };
List<CorpusMessage> Read(IEnumerable<string> folders) => folders.SelectMany(f => SpamCorpus.Read(Path.Combine(corpus, f)).Select(m => m with { Name = Path.Combine(f, m.Name) })).ToList();
var spam = Read(spamFolders);
var ham = Read(hamFolders);
var all = spam.Concat(ham).ToList();
var bytes = all.Sum(m => (long)m.Content.Length);
Console.WriteLine($"corpus: {spam.Count} spam + {ham.Count} ham = {all.Count} messages, {bytes / 1e6:0.0} MB");

switch (mode)
{
    case "throughput":
    {
        var passes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        // The order can be given (tiers measured later profit from a warmer process): "throughput CORPUS PASSES managed,ssse3baseline,native".
        var order = args.Length > 3 ? args[3].Split(',').Select(t => Enum.Parse<ScannerTier>(t, ignoreCase: true)).ToArray() : [ScannerTier.Native, ScannerTier.Ssse3Baseline, ScannerTier.Managed];
        var full = new Dictionary<ScannerTier, double>();
        var only = new Dictionary<ScannerTier, double>();
        // Full: parse + analyse + every target scanned, as at DATA; nothing kept between messages (as in the engine).
        foreach (var tier in order)
        {
            var rules = CompiledRules.Shared(RuleFile.Defaults, tier);
            foreach (var m in all) rules.Scan(MessageAnalysis.Load(m.Content)); // warm-up: one whole pass (tiered JIT, scratch)
            GC.Collect();
            var sw = Stopwatch.StartNew();
            for (var p = 0; p < passes; p++) foreach (var m in all) rules.Scan(MessageAnalysis.Load(m.Content));
            full[tier] = sw.Elapsed.TotalSeconds / passes;
        }

        // Rules only: analyses made beforehand, scanned again (what the tier itself costs).
        var analyses = all.Select(m => MessageAnalysis.Load(m.Content)).ToList();
        foreach (var a in analyses) foreach (var t in RuleFile.Defaults.Select(r => r.Target).Distinct()) _ = a.Target(t).Utf8; // buffers made once
        foreach (var tier in order)
        {
            var rules = CompiledRules.Shared(RuleFile.Defaults, tier);
            foreach (var a in analyses) rules.Scan(a);
            GC.Collect();
            var sw = Stopwatch.StartNew();
            for (var p = 0; p < passes; p++) foreach (var a in analyses) rules.Scan(a);
            only[tier] = sw.Elapsed.TotalSeconds / passes;
        }

        foreach (var tier in order)
            Console.WriteLine($"{tier,-14} full: {all.Count / full[tier],8:0} msgs/s {bytes / full[tier] / 1e6,7:0.0} MB/s   rules only: {all.Count / only[tier],8:0} msgs/s {bytes / only[tier] / 1e6,7:0.0} MB/s");
        analyses.Clear();
        GC.Collect();
        var analysisOnly = Stopwatch.StartNew();
        for (var p = 0; p < passes; p++) foreach (var m in all) MessageAnalysis.Load(m.Content).Target("body");
        Console.WriteLine($"{"analysis",-14} parse+HTML only: {all.Count / (analysisOnly.Elapsed.TotalSeconds / passes),8:0} msgs/s");
        Console.WriteLine($"ratio managed/native: full {full[ScannerTier.Native] / full[ScannerTier.Managed]:0.00}, rules only {only[ScannerTier.Native] / only[ScannerTier.Managed]:0.00}");
        break;
    }

    case "dump":
    {
        var output = args[2];
        var passes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
        Directory.CreateDirectory(output);
        var rules = CompiledRules.Shared(RuleFile.Defaults, ScannerTier.Native);
        var matcher = (HyperscanPatternMatcher)rules.MatcherFor("body")!;
        File.WriteAllBytes(Path.Combine(output, "body.hsdb"), matcher.Serialize());
        var buffers = all.Select(m => MessageAnalysis.Load(m.Content).Target("body").Utf8).Where(b => b.Length > 0).ToList();
        using (var file = new BinaryWriter(File.Create(Path.Combine(output, "body.buffers"))))
        {
            file.Write(buffers.Count);
            foreach (var b in buffers) { file.Write(b.Length); file.Write(b); }
        }

        var matched = new HashSet<uint>();
        foreach (var b in buffers) matcher.Match(b, matched); // warm-up
        var total = 0L;
        var sw = Stopwatch.StartNew();
        for (var p = 0; p < passes; p++)
            foreach (var b in buffers)
            {
                matched.Clear();
                matcher.Match(b, matched);
                total += matched.Count;
            }

        var seconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"pinvoke: {buffers.Count} buffers x {passes} passes in {seconds:0.000} s = {buffers.Count * passes / seconds:0} scans/s ({total} matches)");
        break;
    }

    case "eval":
    {
        var output = args[2];
        Directory.CreateDirectory(output);
        foreach (var (name, set) in new[] { ("spam", spam), ("ham", ham) })
        {
            File.WriteAllLines(Path.Combine(output, $"train-{name}.list"), set.Where(m => !SpamCorpus.IsHeldOut(m)).Select(m => Path.Combine(corpus, m.Name)));
            File.WriteAllLines(Path.Combine(output, $"test-{name}.list"), set.Where(m => SpamCorpus.IsHeldOut(m)).Select(m => Path.Combine(corpus, m.Name)));
        }

        var scanner = new SpamScanner(new ScannerOptions(), Path.Combine(output, "state"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var report = SpamEvaluation.Run(spam, ham, scanner.Compiled, scanner.Scores);
        Console.WriteLine($"ours: trained on {report.TrainSpam} spam + {report.TrainHam} ham; held out {report.TestSpam} spam + {report.TestHam} ham; threshold {report.Threshold}");
        foreach (var m in report.Metrics) Console.WriteLine("ours " + m);
        break;
    }
}
