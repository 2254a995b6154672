using MailEngine.Store;
using MailEngine.Telemetry;
using Microsoft.Extensions.Logging;

namespace MailEngine.Scanner;

/// <summary>
/// Trains the Bayes model from learn events (a message moved into Junk is spam, out of Junk is ham):
/// each event file is learned, the model saved durably, and only then the file removed, so a crash
/// learns a message again rather than losing it. Events waiting from before a restart are learned at start.
/// </summary>
public sealed class SpamLearner(LearnEvents events, BayesClassifier bayes, EngineCounters counters, ILogger logger)
{
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    /// <summary>Messages learned since start (for tests and the diagnostics page).</summary>
    public int Learned => Volatile.Read(ref _learned);
    private int _learned;

    public void Start()
    {
        events.Raised += _ => _signal.Release();
        _loop = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                LearnPending();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                logger.LogWarning(e, "Learning from {Directory} failed; it is tried again with the next event", events.Directory);
            }

            try
            {
                await _signal.WaitAsync(TimeSpan.FromMinutes(5), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Learns every waiting event in one model update.</summary>
    public int LearnPending()
    {
        var pending = events.Pending().ToList();
        if (pending.Count == 0) return 0;
        var batch = new List<(IReadOnlyCollection<string>, bool)>();
        foreach (var e in pending)
        {
            using var stream = File.OpenRead(e.MessagePath);
            batch.Add((BayesClassifier.Tokenize(MessageAnalysis.Load(stream)), e.Spam));
        }

        bayes.Learn(batch);
        foreach (var e in pending)
        {
            File.Delete(e.MessagePath);
            counters.Learned.Add(1, new KeyValuePair<string, object?>("kind", e.Spam ? "spam" : "ham"));
        }

        Interlocked.Add(ref _learned, pending.Count);
        logger.LogInformation("Bayes model learned {Count} messages from IMAP ({Spam} spam, {Ham} ham in the model)", pending.Count, bayes.SpamMessages, bayes.HamMessages);
        return pending.Count;
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
    }
}
