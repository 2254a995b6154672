namespace MailEngine.Telemetry;

/// <summary>
/// The counters' totals once a minute for the last hour, so the Engine page can draw traffic per
/// minute without a time-series database. Sampled by the engine host; read by the console.
/// </summary>
public sealed class CounterHistory(EngineCounters counters, TimeProvider clock)
{
    public const int Minutes = 60;

    public sealed record Sample(DateTimeOffset At, long Accepted, long Delivered, long Deferred, long Bounced, long Rejected);

    private readonly Lock _gate = new();
    private readonly Queue<Sample> _samples = new();

    public void TakeSample()
    {
        var sample = new Sample(clock.GetUtcNow(), counters.Accepted.Total, counters.Delivered.Total, counters.Deferred.Total, counters.Bounced.Total, counters.Rejected.Total);
        lock (_gate)
        {
            _samples.Enqueue(sample);
            while (_samples.Count > Minutes + 1) _samples.Dequeue();
        }
    }

    /// <summary>Per-minute increases, oldest first: each entry is the traffic of the minute ending at its time.</summary>
    public IReadOnlyList<Sample> PerMinute()
    {
        Sample[] samples;
        lock (_gate) samples = [.. _samples];
        var result = new List<Sample>();
        for (var i = 1; i < samples.Length; i++)
        {
            var (a, b) = (samples[i - 1], samples[i]);
            result.Add(new Sample(b.At, b.Accepted - a.Accepted, b.Delivered - a.Delivered, b.Deferred - a.Deferred, b.Bounced - a.Bounced, b.Rejected - a.Rejected));
        }

        return result;
    }
}
