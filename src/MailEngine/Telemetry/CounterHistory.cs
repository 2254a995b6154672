using MailEngine.Contracts;

namespace MailEngine.Telemetry;

/// <summary>
/// The counters' totals once a minute for the last hour, so the Engine page can draw traffic per
/// minute without a time-series database. Sampled by the engine host; read by the console.
/// </summary>
public sealed class CounterHistory(EngineCounters counters, TimeProvider clock)
{
    public const int Minutes = NodeTelemetry.Minutes;

    // Samples are the contract's CounterSample: the Engine page reads them through IEngineNode.

    private readonly Lock _gate = new();
    private readonly Queue<CounterSample> _samples = new();

    public void TakeSample()
    {
        var sample = new CounterSample(clock.GetUtcNow(), counters.Accepted.Total, counters.Delivered.Total, counters.Deferred.Total, counters.Bounced.Total, counters.Rejected.Total);
        lock (_gate)
        {
            _samples.Enqueue(sample);
            while (_samples.Count > Minutes + 1) _samples.Dequeue();
        }
    }

    /// <summary>Per-minute increases, oldest first: each entry is the traffic of the minute ending at its time.</summary>
    public IReadOnlyList<CounterSample> PerMinute()
    {
        CounterSample[] samples;
        lock (_gate) samples = [.. _samples];
        var result = new List<CounterSample>();
        for (var i = 1; i < samples.Length; i++)
        {
            var (a, b) = (samples[i - 1], samples[i]);
            result.Add(new CounterSample(b.At, b.Accepted - a.Accepted, b.Delivered - a.Delivered, b.Deferred - a.Deferred, b.Bounced - a.Bounced, b.Rejected - a.Rejected));
        }

        return result;
    }
}
