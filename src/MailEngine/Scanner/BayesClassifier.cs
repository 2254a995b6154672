using System.Text;
using System.Text.RegularExpressions;
using MailEngine.Storage;

namespace MailEngine.Scanner;

/// <summary>
/// A Bayesian token classifier after Gary Robinson ("A Statistical Approach to the Spam Problem",
/// 2003) as SpamBayes combines it: each token's spam probability f(w) = (s·x + n·p(w)) / (s + n)
/// with the prior x = 0.5 and strength s = 0.45, the 150 tokens furthest from 0.5 combined with
/// Fisher's chi-square method into one indicator I = (1 + H − S) / 2. Tokens are words of the
/// subject and decoded text, URI hosts, the sender's domain and the analysis facts.
/// The model is one file, written durably; writers (the engine learning from IMAP, adminctl
/// training from folders) take an exclusive lock on a companion file and merge into what is on
/// disk, and a reader reloads when the file changes.
/// </summary>
public sealed partial class BayesClassifier
{
    public const int MinimumPerClass = Contracts.ScannerReport.BayesReport.MinimumPerClass;
    private const double Strength = 0.45;
    private const double Prior = 0.5;
    private const int MaxClues = 150;
    private const double MinDeviation = 0.1;
    private static readonly byte[] Magic = "MAILBAYES1\n"u8.ToArray();


    private readonly Dictionary<string, (int Spam, int Ham)> _tokens = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly string? _path;
    private DateTime _loadedStamp;
    private long _loadedLength = -1;
    private long _nextCheck;

    /// <summary>A model kept in memory only (evaluation).</summary>
    public BayesClassifier()
    {
    }

    /// <summary>A model persisted in <paramref name="path"/>, loaded now if it exists.</summary>
    public BayesClassifier(string path)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        lock (_gate) ReloadIfChanged();
    }

    public int SpamMessages { get; private set; }
    public int HamMessages { get; private set; }
    public int TokenCount { get { lock (_gate) return _tokens.Count; } }

    /// <summary>Enough of both kinds has been learned for the probability to mean something.</summary>
    public bool Ready => SpamMessages >= MinimumPerClass && HamMessages >= MinimumPerClass;

    public static BayesBand? Band(double probability) => BayesBand.All.FirstOrDefault(b => probability >= b.From && probability < b.To);

    /// <summary>The tokens of a message, each once.</summary>
    public static HashSet<string> Tokenize(MessageAnalysis message)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Word().Matches(message.Message.Subject ?? string.Empty)) tokens.Add("s:" + m.Value.ToLowerInvariant());
        var body = message.Body.Length > 64 * 1024 ? message.Body[..(64 * 1024)] : message.Body;
        foreach (Match m in Word().Matches(body))
        {
            tokens.Add(m.Value.ToLowerInvariant());
            if (tokens.Count >= 4000) break;
        }

        foreach (var uri in message.Uris.Take(100))
            if (Uri.TryCreate(uri.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? "http://" + uri : uri, UriKind.Absolute, out var parsed) && parsed.Host.Length > 0)
                tokens.Add("u:" + parsed.Host.ToLowerInvariant());
        if (message.Message.From.Mailboxes.FirstOrDefault()?.Domain is { Length: > 0 } domain) tokens.Add("f:" + domain.ToLowerInvariant());
        foreach (var fact in message.Facts) tokens.Add("x:" + fact);
        return tokens;
    }

    /// <summary>The spam probability (0 ham … 1 spam), or null while too little has been learned.</summary>
    public double? Classify(IReadOnlyCollection<string> tokens)
    {
        lock (_gate)
        {
            if (_path is not null && Environment.TickCount64 >= _nextCheck)
            {
                _nextCheck = Environment.TickCount64 + 1000;
                ReloadIfChanged();
            }

            if (!Ready) return null;
            var clues = new List<double>();
            foreach (var token in tokens)
            {
                if (!_tokens.TryGetValue(token, out var counts)) continue;
                var b = counts.Spam / (double)SpamMessages;
                var g = counts.Ham / (double)HamMessages;
                if (b + g == 0) continue;
                var n = counts.Spam + counts.Ham;
                var f = (Strength * Prior + n * (b / (b + g))) / (Strength + n);
                if (Math.Abs(f - 0.5) >= MinDeviation) clues.Add(f);
            }

            if (clues.Count == 0) return 0.5;
            var best = clues.OrderByDescending(f => Math.Abs(f - 0.5)).Take(MaxClues).ToList();
            double lnSpam = 0, lnHam = 0;
            foreach (var f in best)
            {
                lnHam += Math.Log(Math.Clamp(f, 1e-9, 1 - 1e-9));
                lnSpam += Math.Log(Math.Clamp(1 - f, 1e-9, 1 - 1e-9));
            }

            var s = 1 - ChiSquareQ(-2 * lnSpam, 2 * best.Count);
            var h = 1 - ChiSquareQ(-2 * lnHam, 2 * best.Count);
            return (s - h + 1) / 2;
        }
    }

    /// <summary>The probability that a chi-square with <paramref name="freedom"/> (even) degrees of freedom is at least <paramref name="x"/>.</summary>
    private static double ChiSquareQ(double x, int freedom)
    {
        var m = x / 2;
        double sum, term;
        sum = term = Math.Exp(-m);
        for (var i = 1; i < freedom / 2; i++)
        {
            term *= m / i;
            sum += term;
        }

        return Math.Min(sum, 1);
    }

    /// <summary>Learns messages as spam or ham, merging with the file on disk under its lock, then saving durably.</summary>
    public void Learn(IEnumerable<(IReadOnlyCollection<string> Tokens, bool Spam)> messages)
    {
        lock (_gate)
        {
            using var fileLock = _path is null ? null : AcquireFileLock();
            if (_path is not null) ReloadIfChanged();
            foreach (var (tokens, spam) in messages)
            {
                if (spam) SpamMessages++;
                else HamMessages++;
                foreach (var token in tokens)
                {
                    _tokens.TryGetValue(token, out var counts);
                    _tokens[token] = spam ? (counts.Spam + 1, counts.Ham) : (counts.Spam, counts.Ham + 1);
                }
            }

            if (_path is not null) Save();
        }
    }

    public void Learn(IReadOnlyCollection<string> tokens, bool spam) => Learn([(tokens, spam)]);

    private FileStream AcquireFileLock()
    {
        // FileShare.None is an flock(LOCK_EX) on Linux: the console's engine and adminctl take turns.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(_path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                Thread.Sleep(50);
            }
        }
    }

    private void ReloadIfChanged()
    {
        var info = new FileInfo(_path!);
        if (!info.Exists)
        {
            if (_loadedLength >= 0) Clear();
            return;
        }

        if (info.LastWriteTimeUtc == _loadedStamp && info.Length == _loadedLength) return;
        Clear();
        using (var reader = new BinaryReader(File.OpenRead(_path!), Encoding.UTF8))
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new InvalidDataException($"{_path} is not a Bayes model");
            SpamMessages = reader.ReadInt32();
            HamMessages = reader.ReadInt32();
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++) _tokens[reader.ReadString()] = (reader.ReadInt32(), reader.ReadInt32());
        }

        (_loadedStamp, _loadedLength) = (info.LastWriteTimeUtc, info.Length);
    }

    private void Clear()
    {
        _tokens.Clear();
        SpamMessages = HamMessages = 0;
        _loadedLength = -1;
    }

    private void Save()
    {
        DurableFile.Write(_path!, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(SpamMessages);
            writer.Write(HamMessages);
            writer.Write(_tokens.Count);
            foreach (var (token, (spam, ham)) in _tokens)
            {
                writer.Write(token);
                writer.Write(spam);
                writer.Write(ham);
            }
        });
        var info = new FileInfo(_path!);
        (_loadedStamp, _loadedLength) = (info.LastWriteTimeUtc, info.Length);
    }

    [GeneratedRegex(@"[\p{L}\p{N}$][\p{L}\p{N}$'!-]{2,23}")]
    private static partial Regex Word();
}
