using MailEngine.Contracts;
using MailEngine.Scanner;

namespace MailEngine.Hosting;

/// <summary>
/// The engine contract over the engine in this process: what the console calls when the engine runs
/// inside it, and what a mailengine-node serves over HTTP (<c>MapEngineControlApi</c>), so both
/// kinds of node answer from the same code.
/// </summary>
public sealed class InProcessEngineNode(MailEngineHost engine, string name = InProcessEngineNode.DefaultName) : IEngineNode
{
    public const string DefaultName = "local";

    public string Name { get; } = name;

    public Task<EngineStatus> ApplyAsync(EngineSnapshot snapshot, CancellationToken ct) =>
        // Building the index of a large snapshot and writing it durably is CPU and disk work: off the caller's thread.
        Task.Run(() => engine.Apply(snapshot), ct);

    public Task<NodeStatus> StatusAsync(CancellationToken ct) => Task.FromResult(Status());

    public NodeStatus Status() => new(
        engine.Status,
        engine.Running,
        engine.Endpoints.Select(e => (Name: e.Key.ToString().ToLowerInvariant(), Endpoint: e.Value))
            .Concat(engine.ImapEndpoints.Select(e => (Name: e.Key, Endpoint: e.Value)))
            .ToDictionary(e => e.Name, e => e.Endpoint.ToString()),
        engine.Scanner.Ready ? "ready" : "compiling",
        [.. engine.Snapshots.Current.Certificates().Select(c => c.Leaf.SerialNumber)]);

    public Task<NodeTelemetry> TelemetryAsync(CancellationToken ct)
    {
        var running = engine.Running;
        return Task.FromResult(new NodeTelemetry(
            running ? engine.Queue.Length : 0,
            running ? Math.Round(engine.Queue.OldestAge.TotalSeconds, 1) : 0,
            engine.Counters.All.Select(c => new CounterReport(c.Name, c.Help, c.Values.Select(v => new CounterValue(v.Label, v.Value, v.Count)).ToList())).ToList(),
            engine.History.PerMinute(),
            engine.Volumes()));
    }

    public Task<IReadOnlyDictionary<string, long>> UsageAsync(IReadOnlyCollection<string> addresses, CancellationToken ct) =>
        Task.Run<IReadOnlyDictionary<string, long>>(() => addresses.Distinct(StringComparer.Ordinal).ToDictionary(a => a, engine.Maildirs.Usage, StringComparer.Ordinal), ct);

    public Task<ScannerReport> ScannerAsync(CancellationToken ct) => Task.FromResult(ScannerReports.Take(engine.Scanner, engine.Learner.Learned));

    public Task<ScannerSelfTest> SelfTestAsync(CancellationToken ct) => Task.Run(() => engine.Scanner.SelfTest(budget: TimeSpan.FromSeconds(1)), ct);

    public async Task<DmarcReportRun> SendDmarcReportsAsync(DateOnly day, CancellationToken ct)
    {
        if (engine.DmarcReports is not { } dmarc || engine.TlsReports is not { } tls) throw new InvalidOperationException("The engine is not running: it sends reports once it has started.");
        var run = await dmarc.SendAsync(day, ct);
        return run with { TlsReports = await tls.SendAsync(day, ct) };
    }

    public Task<IReadOnlyList<ReceivedReport>> ReceivedReportsAsync(DateTimeOffset since, CancellationToken ct) =>
        Task.Run(() => engine.ReceivedReports.Since(since), ct);

    public Task<IReadOnlyList<string>> SendMailAsync(OutgoingMail mail, CancellationToken ct)
    {
        if (!engine.Running) throw new InvalidOperationException("The engine is not running: it sends mail once it has started.");
        // Each recipient is its own queued copy, so one that cannot be had does not hold the others.
        return Task.FromResult<IReadOnlyList<string>>([.. mail.Recipients.Where(r => !engine.Queue.QueueGenerated(mail.Sender, r, mail.Content, mail.Kind))]);
    }

    public Task<IReadOnlyList<QueuedMessage>> QueueAsync(CancellationToken ct) =>
        Task.Run<IReadOnlyList<QueuedMessage>>(() => engine.Running ? engine.Queue.List() : [], ct);

    public Task<QueueActionResult> QueueActionAsync(string queueId, QueueAction action, CancellationToken ct) =>
        Task.Run(() => engine.Running ? engine.Queue.Act(queueId, action) : new QueueActionResult(false, "The engine is not running."), ct);

    public async Task<ScannerReport> ForceTierAsync(ScannerTier? tier, CancellationToken ct)
    {
        await Task.Run(() => engine.Scanner.Force(tier), ct);
        return ScannerReports.Take(engine.Scanner, engine.Learner.Learned);
    }
}
