using MailEngine.Scanner;

namespace AdminCtl.Tests;

/// <summary>adminctl spam train / eval / scan on folders of the SpamAssassin public corpus, as an operator runs them.</summary>
public sealed class SpamCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("spam-cmd").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Corpus => SpamCorpus.Locate(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("The spam corpus is not installed: run deploy/test.sh (ensure_spam_corpus) or set SPAM_CORPUS");

    /// <summary>A folder with the first <paramref name="count"/> message files of a corpus folder.</summary>
    private string Sample(string corpusFolder, int count)
    {
        var target = Path.Combine(_folder, corpusFolder);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Corpus, corpusFolder), "*.txt").Order(StringComparer.Ordinal).Take(count))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    private Dictionary<string, string> State => new() { ["Engine__StateDirectory"] = Path.Combine(_folder, "state") };

    [Fact]
    public async Task Train_adds_to_the_engine_s_model_file_and_scan_uses_it()
    {
        var spam = Sample("spam-2", 80);
        var ham = Sample("easy-ham-2", 80);
        var first = await AdminCtlRunner.RunAsync("unused", State, "spam", "train", "--spam", spam, "--ham", ham);
        Assert.Equal(0, first.ExitCode);
        Assert.StartsWith("learned 80 spam and 80 ham; the model now holds 80 spam, 80 ham, ", first.Stdout, StringComparison.Ordinal);
        var second = await AdminCtlRunner.RunAsync("unused", State, "spam", "train", "--spam", spam, "--ham", ham);
        Assert.Contains("the model now holds 160 spam, 160 ham", second.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "state", "scanner", "bayes.model")));

        // A spam the model has seen: the Bayes band is among the symbols.
        var scan = await AdminCtlRunner.RunAsync("unused", State, "spam", "scan", Directory.GetFiles(spam).Order(StringComparer.Ordinal).First());
        Assert.Equal(0, scan.ExitCode);
        Assert.Matches(@"^X-Spam-Score: \d+\.\d\nX-Spam-Status: Yes, score=", scan.Stdout);
        Assert.Contains("BAYES_99", scan.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_reports_precision_recall_F1_and_false_positive_rate_on_the_held_out_part()
    {
        var result = await AdminCtlRunner.RunAsync("unused", State, "spam", "eval", "--spam", Sample("spam-1", 300), "--ham", Sample("easy-ham-1", 300));
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^trained on \d+ spam \+ \d+ ham; held out \d+ spam \+ \d+ ham; threshold 5; tier Native$", lines[0]);
        Assert.Equal(["rules", "bayes", "rules+bayes"], lines.Skip(1).Select(l => l.Split(' ')[0]));
        var combined = lines.Single(l => l.StartsWith("rules+bayes", StringComparison.Ordinal));
        var m = System.Text.RegularExpressions.Regex.Match(combined, @"precision (\d\.\d{4})  recall (\d\.\d{4})  F1 (\d\.\d{4})  FPR (\d\.\d{4})");
        Assert.True(m.Success, combined);
        var (precision, recall, f1, fpr) = (Number(1), Number(2), Number(3), Number(4));
        Assert.True(precision >= 0.9 && recall >= 0.85 && f1 >= 0.9 && fpr <= 0.05, combined);

        double Number(int group) => double.Parse(m.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Missing_folders_and_arguments_are_refused()
    {
        Assert.Equal(2, (await AdminCtlRunner.RunAsync("unused", State, "spam", "train", "--spam", _folder)).ExitCode);
        var missing = await AdminCtlRunner.RunAsync("unused", State, "spam", "train", "--spam", Path.Combine(_folder, "nope"), "--ham", _folder);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no such folder", missing.Stderr, StringComparison.Ordinal);
    }
}
