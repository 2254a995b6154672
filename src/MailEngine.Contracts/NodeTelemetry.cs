namespace MailEngine.Contracts;

/// <summary>A node's observed traffic, as the Engine page, the dashboard and /metrics show it.</summary>
/// <param name="OldestQueuedSeconds">Age of the oldest queued message, 0 when the queue is empty.</param>
/// <param name="LastHour">Per-minute increases, oldest first.</param>
/// <param name="Volumes">The file systems holding the Maildirs and the spool, for the disk space alert.</param>
public sealed record NodeTelemetry(int QueueLength, double OldestQueuedSeconds, IReadOnlyList<CounterReport> Counters, IReadOnlyList<CounterSample> LastHour, IReadOnlyList<VolumeSpace>? Volumes = null)
{
    /// <summary>How many minutes <see cref="LastHour"/> covers at most.</summary>
    public const int Minutes = 60;
}

/// <summary>One engine counter with its help text, so /metrics and the page describe it the same way.</summary>
/// <param name="Name">The Prometheus name, ending in <c>_total</c>.</param>
public sealed record CounterReport(string Name, string Help, IReadOnlyList<CounterValue> Values)
{
    /// <summary>The .NET instrument name for a Prometheus counter name: the <c>_total</c> suffix is the exporter's to add.</summary>
    public static string InstrumentName(string prometheusName) => prometheusName.EndsWith("_total", StringComparison.Ordinal) ? prometheusName[..^"_total".Length] : prometheusName;
}

/// <summary>One label's count ("reason" = "quota": 3); an unlabelled counter has one value with empty label.</summary>
public sealed record CounterValue(string Label, string Value, long Count);

/// <summary>The traffic of the minute ending at <paramref name="At"/> (or totals, for a raw sample).</summary>
public sealed record CounterSample(DateTimeOffset At, long Accepted, long Delivered, long Deferred, long Bounced, long Rejected);

/// <summary>Free and total space of the file system holding one of the node's stores.</summary>
/// <param name="Store">"maildir" or "spool".</param>
public sealed record VolumeSpace(string Store, string Path, long FreeBytes, long TotalBytes)
{
    public double FreeRatio => TotalBytes <= 0 ? 1 : (double)FreeBytes / TotalBytes;
}
