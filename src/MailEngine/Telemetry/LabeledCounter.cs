using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MailEngine.Telemetry;

/// <summary>
/// A monotonically increasing count, split by one optional label ("reason", "listener", "kind"). Each
/// increment goes to a <see cref="Counter{T}"/> of the component's <see cref="Meter"/>, for whatever
/// listens to .NET metrics (an engine node's /metrics), and to the totals the engine contract reports
/// (<see cref="Values"/>), which the console exports per node.
/// </summary>
public sealed class LabeledCounter
{
    private readonly ConcurrentDictionary<(string Label, string Value), long> _values = new();
    private readonly Counter<long> _instrument;

    /// <param name="name">The Prometheus name, ending in <c>_total</c>; the instrument is named without it, as exporters add it.</param>
    public LabeledCounter(Meter meter, string name, string help)
    {
        if (!name.EndsWith("_total", StringComparison.Ordinal)) throw new ArgumentException($"A counter's name ends in _total: {name}", nameof(name));
        Name = name;
        Help = help;
        _instrument = meter.CreateCounter<long>(Contracts.CounterReport.InstrumentName(name), description: help);
    }

    public string Name { get; }
    public string Help { get; }

    public void Add(long amount, KeyValuePair<string, object?> label)
    {
        _values.AddOrUpdate((label.Key, label.Value?.ToString() ?? ""), amount, (_, v) => v + amount);
        _instrument.Add(amount, label);
    }

    public void Add(long amount)
    {
        _values.AddOrUpdate(("", ""), amount, (_, v) => v + amount);
        _instrument.Add(amount);
    }

    public IReadOnlyList<(string Label, string Value, long Count)> Values =>
        _values.Select(kv => (Label: kv.Key.Label, Value: kv.Key.Value, Count: kv.Value)).OrderBy(v => v.Value, StringComparer.Ordinal).ToList();

    public long Total => _values.Values.Sum();
}
