using System.Security.Cryptography;
using System.Text;

namespace MailEngine.Scanner;

/// <summary>A message file of a corpus folder.</summary>
public sealed record CorpusMessage(string Name, byte[] Content);

/// <summary>
/// Folders of messages, one per file (Maildir cur/new, the SpamAssassin public corpus, a folder of
/// .eml files). A leading mbox "From " line is dropped; files named *.json or starting with '.' and
/// the corpus' "cmds" index are not messages.
/// </summary>
public static class SpamCorpus
{
    /// <summary>
    /// Where the SpamAssassin public corpus is: $SPAM_CORPUS, else where deploy/lib.sh's
    /// ensure_spam_corpus installs it (.local/corpus under the checkout holding <paramref name="from"/>); null when absent.
    /// </summary>
    public static string? Locate(string from)
    {
        if (Environment.GetEnvironmentVariable("SPAM_CORPUS") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
        {
            var data = Path.Combine(dir.FullName, ".local", "corpus", "node_modules", "@stdlib", "datasets-spam-assassin", "data");
            if (Directory.Exists(data)) return data;
        }

        return null;
    }

    public static IEnumerable<CorpusMessage> Read(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: no such folder");
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.') || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || name == "cmds") continue;
            var bytes = File.ReadAllBytes(file);
            if (bytes.AsSpan().StartsWith("From "u8) && bytes.AsSpan().IndexOf((byte)'\n') is var eol and >= 0) bytes = bytes[(eol + 1)..];
            yield return new CorpusMessage(Path.GetRelativePath(directory, file), bytes);
        }
    }

    /// <summary>
    /// The held-out part of a deterministic split: a message is held out when the hash of its name
    /// falls in the last <paramref name="heldOutPercent"/> percent, so every run (and SpamAssassin's in the
    /// benchmark) splits the same way.
    /// </summary>
    public static bool IsHeldOut(CorpusMessage message, int heldOutPercent = 30) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(message.Name))[0] * 100 / 256 >= 100 - heldOutPercent;
}

/// <summary>Precision, recall, F1 and false-positive rate of a classifier on labelled messages.</summary>
public sealed record SpamMetrics(string Classifier, int TruePositives, int FalsePositives, int TrueNegatives, int FalseNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 0 : TruePositives / (double)(TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? 0 : TruePositives / (double)(TruePositives + FalseNegatives);
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
    public double FalsePositiveRate => FalsePositives + TrueNegatives == 0 ? 0 : FalsePositives / (double)(FalsePositives + TrueNegatives);
    public double Accuracy => (TruePositives + TrueNegatives) / (double)Math.Max(1, TruePositives + FalsePositives + TrueNegatives + FalseNegatives);

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Classifier,-14} precision {Precision:0.0000}  recall {Recall:0.0000}  F1 {F1:0.0000}  FPR {FalsePositiveRate:0.0000}  accuracy {Accuracy:0.0000}  (TP {TruePositives} FP {FalsePositives} TN {TrueNegatives} FN {FalseNegatives})");
}

/// <summary>The result of <see cref="SpamEvaluation.Run"/>: sizes of the split and the metrics of each classifier.</summary>
public sealed record SpamEvaluationReport(int TrainSpam, int TrainHam, int TestSpam, int TestHam, double Threshold, IReadOnlyList<SpamMetrics> Metrics);

/// <summary>
/// Trains a fresh, in-memory Bayes model on the training part of a labelled corpus and measures the
/// held-out part three ways: the rules alone, Bayes alone (probability ≥ 0.5), and the full score
/// (rules + Bayes band) against a threshold, as delivery would use it.
/// </summary>
public static class SpamEvaluation
{
    public static SpamEvaluationReport Run(IReadOnlyList<CorpusMessage> spam, IReadOnlyList<CorpusMessage> ham, CompiledRules rules, IReadOnlyDictionary<string, double> scores, double threshold = 5, int heldOutPercent = 30)
    {
        var bayes = new BayesClassifier();
        var analysed = spam.Select(m => (m, Spam: true)).Concat(ham.Select(m => (m, Spam: false)))
            .AsParallel().AsOrdered()
            .Select(x => (x.m, x.Spam, Held: SpamCorpus.IsHeldOut(x.m, heldOutPercent), Analysis: MessageAnalysis.Load(x.m.Content)))
            .Select(x => (x.m, x.Spam, x.Held, Tokens: BayesClassifier.Tokenize(x.Analysis), Symbols: x.Held ? rules.Scan(x.Analysis) : null))
            .ToList();
        bayes.Learn(analysed.Where(x => !x.Held).Select(x => ((IReadOnlyCollection<string>)x.Tokens, x.Spam)));

        var counts = new Dictionary<string, int[]>
        {
            ["rules"] = new int[4],
            ["bayes"] = new int[4],
            ["rules+bayes"] = new int[4],
        };
        foreach (var x in analysed.Where(x => x.Held))
        {
            var ruleScore = x.Symbols!.Sum(s => scores.GetValueOrDefault(s));
            var probability = bayes.Classify(x.Tokens);
            var band = probability is { } p ? BayesClassifier.Band(p) : null;
            Count("rules", ruleScore >= threshold);
            Count("bayes", probability >= 0.5);
            Count("rules+bayes", ruleScore + (band?.Score ?? 0) >= threshold);

            void Count(string name, bool saysSpam) => counts[name][(x.Spam, saysSpam) switch { (true, true) => 0, (false, true) => 1, (false, false) => 2, _ => 3 }]++;
        }

        return new SpamEvaluationReport(
            analysed.Count(x => x.Spam && !x.Held), analysed.Count(x => !x.Spam && !x.Held),
            analysed.Count(x => x.Spam && x.Held), analysed.Count(x => !x.Spam && x.Held), threshold,
            counts.Select(c => new SpamMetrics(c.Key, c.Value[0], c.Value[1], c.Value[2], c.Value[3])).ToList());
    }
}
