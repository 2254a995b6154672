using MailEngine.Contracts;

namespace AdminConsole.Core.Alerts;

/// <summary>
/// Everything the rules look at, taken once per evaluation (<see cref="AlertInputSource"/>) so that
/// the rules are plain functions of it and a test can give any situation (a full disk, a stopped node).
/// </summary>
public sealed record AlertInputs(
    DateTimeOffset Now,
    IReadOnlyList<AlertInputs.Node> Nodes,
    IReadOnlyList<AlertInputs.Certificate> Certificates,
    IReadOnlyList<AlertInputs.DnsProblem> DnsProblems)
{
    /// <summary>One engine node as the console sees it.</summary>
    /// <param name="Telemetry">Null when the node did not answer.</param>
    /// <param name="Samples">The node's counter totals at earlier evaluations and now, oldest first.</param>
    public sealed record Node(string Name, bool Running, bool InSync, NodeTelemetry? Telemetry, IReadOnlyList<CounterTotals> Samples)
    {
        /// <summary>
        /// How much a counter grew over the last <paramref name="window"/> (Prometheus' increase()): from
        /// the newest sample at least that old, or the oldest there is; a drop (the node restarted) counts from 0.
        /// </summary>
        public long Increase(string counter, TimeSpan window)
        {
            if (Samples.Count < 2) return 0;
            var now = Samples[^1];
            var from = Samples.LastOrDefault(s => s.At <= now.At - window) ?? Samples[0];
            long increase = 0;
            var previous = from.Of(counter);
            foreach (var sample in Samples.SkipWhile(s => s != from).Skip(1))
            {
                var value = sample.Of(counter);
                increase += value >= previous ? value - previous : value;
                previous = value;
            }

            return increase;
        }
    }

    public sealed record Certificate(string Name, DateTimeOffset NotAfter, int FailedAttempts, string? LastError);

    /// <param name="Broken">Records not matching on every name server; -1 when the last check could not ask any.</param>
    public sealed record DnsProblem(string Domain, int Broken);
}

/// <summary>A node's counter totals (over every label) at one moment.</summary>
public sealed record CounterTotals(DateTimeOffset At, IReadOnlyDictionary<string, long> Totals)
{
    public long Of(string counter) => Totals.GetValueOrDefault(counter);

    public static CounterTotals From(DateTimeOffset at, NodeTelemetry telemetry) =>
        new(at, telemetry.Counters.ToDictionary(c => c.Name, c => c.Values.Sum(v => v.Count), StringComparer.Ordinal));
}
