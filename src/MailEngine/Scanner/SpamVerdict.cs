using System.Globalization;
using System.Text;
using MailEngine.Contracts;

namespace MailEngine.Scanner;

public enum SpamAction
{
    None,
    Header,
    Junk,
    Reject,
}

/// <summary>A matched symbol and the score it added.</summary>
public sealed record SpamSymbol(string Name, double Score);

/// <summary>What the scanner found in a message, before any domain's settings: the symbols and the Bayes probability.</summary>
public sealed record SpamScanResult(IReadOnlyList<string> Symbols, double? BayesProbability);

/// <summary>The verdict for one domain: its score, its action, and the header lines that say so.</summary>
public sealed record SpamVerdict(double Score, SpamAction Action, IReadOnlyList<SpamSymbol> Symbols, double HeaderThreshold, double JunkThreshold, double RejectThreshold)
{
    /// <summary>
    /// X-Spam-Score and X-Spam-Status in SpamAssassin's form ("Yes, score=7.3 required=5.0
    /// tests=A=1.5,B=5.8"), which mail clients and filters already understand.
    /// </summary>
    public string HeaderLines()
    {
        var status = new StringBuilder()
            .Append(Action >= SpamAction.Header ? "Yes" : "No")
            .Append(", score=").Append(Format(Score))
            .Append(" required=").Append(Format(HeaderThreshold))
            .Append(" tests=").Append(Symbols.Count == 0 ? "none" : string.Join(",", Symbols.Select(s => $"{s.Name}={Format(s.Score)}")));
        return $"X-Spam-Score: {Format(Score)}\r\nX-Spam-Status: {Fold(status.ToString())}\r\n";
    }

    /// <summary>
    /// The verdict on spamtest's scale (RFC 5235): below the Junk threshold 1-5 in proportion,
    /// from it 6-10 up to the reject threshold, so the before-script's "ge 6" means "Junk"; and the
    /// percentage of the reject threshold for spamtestplus. SieveInterpreter adds one to the score.
    /// </summary>
    public (double Score, double Percent) Spamtest() => Sieve.SpamtestScale.Of(Score, JunkThreshold, RejectThreshold);

    /// <summary>
    /// This verdict at least at Junk (DMARC quarantine, RFC 7489 §6.3): the score raised to the Junk
    /// threshold if it was below, so the spamtest the before-script reads says Junk too.
    /// </summary>
    public SpamVerdict Junked() => Action >= SpamAction.Junk ? this : this with { Score = Math.Max(Score, JunkThreshold), Action = SpamAction.Junk };

    private static string Format(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>Folds a long header value at commas (RFC 5322 2.2.3), lines under 78 characters where it can.</summary>
    private static string Fold(string value)
    {
        var result = new StringBuilder();
        var line = "X-Spam-Status: ".Length;
        foreach (var piece in value.Split(','))
        {
            var part = result.Length == 0 ? piece : "," + piece;
            if (result.Length > 0 && line + part.Length > 76)
            {
                result.Append(",\r\n\t");
                part = piece;
                line = 8;
            }

            result.Append(part);
            line += part.Length;
        }

        return result.ToString();
    }

    /// <summary>Scores a scan under a domain's settings: overrides applied, thresholds compared.</summary>
    public static SpamVerdict Evaluate(SpamScanResult scan, SpamPolicy policy, IReadOnlyDictionary<string, double> scores)
    {
        var symbols = new List<SpamSymbol>();
        foreach (var name in scan.Symbols)
        {
            var score = scores.TryGetValue(name, out var s) ? s : 0;
            // GTUBE is the test everyone uses to check that refusal works: it is never turned down.
            if (name != RuleFile.Gtube && policy.Overrides.TryGetValue(name, out var o))
            {
                if (!o.Enabled) continue;
                score = o.Score ?? score;
            }

            symbols.Add(new SpamSymbol(name, score));
        }

        symbols.Sort((a, b) => b.Score.CompareTo(a.Score) is var c and not 0 ? c : string.CompareOrdinal(a.Name, b.Name));
        var total = Math.Round(symbols.Sum(s => s.Score), 2);
        var action = total >= policy.RejectThreshold ? SpamAction.Reject
            : total >= policy.JunkThreshold ? SpamAction.Junk
            : total >= policy.HeaderThreshold ? SpamAction.Header
            : SpamAction.None;
        return new SpamVerdict(total, action, symbols, policy.HeaderThreshold, policy.JunkThreshold, policy.RejectThreshold);
    }
}
