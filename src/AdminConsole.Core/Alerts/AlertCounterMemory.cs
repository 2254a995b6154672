using System.Collections.Concurrent;

namespace AdminConsole.Core.Alerts;

/// <summary>
/// Each node's counter totals at the last evaluations (an hour of them), so rules on a counter's
/// increase (failed logins, DKIM failures) can be evaluated without a time-series database. Kept in
/// memory: after a restart the increases start again from the first evaluation.
/// </summary>
public sealed class AlertCounterMemory
{
    public static readonly TimeSpan Kept = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, List<CounterTotals>> _nodes = new(StringComparer.Ordinal);

    /// <summary>Adds the node's totals now and returns its samples, oldest first.</summary>
    public IReadOnlyList<CounterTotals> Add(string node, CounterTotals now)
    {
        var samples = _nodes.GetOrAdd(node, _ => []);
        lock (samples)
        {
            samples.Add(now);
            samples.RemoveAll(s => s.At < now.At - Kept);
            return [.. samples];
        }
    }

    public IReadOnlyList<CounterTotals> Of(string node)
    {
        if (!_nodes.TryGetValue(node, out var samples)) return [];
        lock (samples) return [.. samples];
    }
}
