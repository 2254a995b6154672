using AdminConsole.Core.Security;
using MailEngine.Contracts;
using Microsoft.Extensions.Configuration;

namespace AdminConsole.Core.Engine;

/// <summary>What the console knows of one node: what it runs, when it last answered, its last error.</summary>
/// <param name="Status">The node's last answer to a status request (null before the first).</param>
public sealed record EngineNodeState(string Name, string Kind, string? Url, long AppliedVersion, DateTimeOffset? LastContact, string? LastError, DateTimeOffset? LastErrorAt, NodeStatus? Status)
{
    /// <summary>Answered the follower's last request.</summary>
    public bool Reachable => LastContact is not null && (LastErrorAt is null || LastContact >= LastErrorAt);
}

/// <summary>
/// Every engine node this console feeds: the engine in this process (when Engine:Enabled) and the
/// mailengine-nodes of Console:EngineNodes. The follower records here what each one runs; the pages
/// read usage, counters and the scanner through the nodes, never through an engine's internals.
/// </summary>
public sealed class EngineNodes : IDisposable
{
    private readonly List<(IEngineNode Node, string Kind, string? Url)> _nodes = [];
    private readonly Dictionary<string, EngineNodeState> _states = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <param name="inProcess">The engine in this process, registered by the web host only when Engine:Enabled.</param>
    public EngineNodes(IEnumerable<IEngineNode> inProcess, IConfiguration configuration, CredentialStore credentials)
    {
        var configured = configuration.GetSection(EngineNodeOptions.Section).Get<List<EngineNodeOptions>>() ?? [];
        var local = inProcess.FirstOrDefault();
        if (local is not null)
        {
            var renamed = configured.FirstOrDefault(o => o.InProcess)?.Name;
            _nodes.Add((renamed is { Length: > 0 } ? new RenamedNode(local, renamed) : local, "in-process", null));
        }

        foreach (var options in configured.Where(o => !o.InProcess))
        {
            if (string.IsNullOrWhiteSpace(options.Name)) throw new InvalidOperationException($"{EngineNodeOptions.Section}: every node needs a Name.");
            if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw new InvalidOperationException($"{EngineNodeOptions.Section}: node {options.Name} needs an http or https Url.");
            var token = credentials.TryRead(options.TokenCredential)
                ?? throw new InvalidOperationException($"{EngineNodeOptions.Section}: node {options.Name} needs its bearer token in the credential file {options.TokenCredential}.");
            _nodes.Add((new HttpEngineNode(options, token), "http", url.ToString()));
        }

        var duplicate = _nodes.GroupBy(n => n.Node.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"{EngineNodeOptions.Section}: two nodes are named {duplicate.Key}.");
        foreach (var (node, kind, url) in _nodes) _states[node.Name] = new EngineNodeState(node.Name, kind, url, 0, null, null, null, null);
    }

    public IReadOnlyList<IEngineNode> All => [.. _nodes.Select(n => n.Node)];

    public IReadOnlyList<EngineNodeState> States
    {
        get
        {
            lock (_gate) return [.. _nodes.Select(n => _states[n.Node.Name])];
        }
    }

    public EngineNodeState StateOf(IEngineNode node)
    {
        lock (_gate) return _states[node.Name];
    }

    /// <summary>The node of that name, or the first one when no name is given; null when there is none.</summary>
    public IEngineNode? Find(string? name) => name is null ? _nodes.FirstOrDefault().Node : _nodes.FirstOrDefault(n => n.Node.Name == name).Node;

    /// <summary>The lowest version every node runs (0 with no node): what "applied" means for a change.</summary>
    public long AppliedEverywhere
    {
        get
        {
            lock (_gate) return _states.Count == 0 ? 0 : _states.Values.Min(s => s.AppliedVersion);
        }
    }

    /// <summary>The nodes whose last answer says they serve the certificate with this serial number (hex).</summary>
    public IReadOnlyList<string> Serving(string serialNumber)
    {
        lock (_gate)
            return [.. _nodes.Select(n => _states[n.Node.Name]).Where(s => s.Status?.Certificates?.Contains(serialNumber, StringComparer.OrdinalIgnoreCase) == true).Select(s => s.Name)];
    }

    internal void Answered(IEngineNode node, NodeStatus status, DateTimeOffset at)
    {
        lock (_gate)
            _states[node.Name] = _states[node.Name] with
            {
                AppliedVersion = status.Snapshot.AppliedVersion,
                LastContact = at,
                Status = status,
                // It answers: a reach error is over, and an apply error is the one the node itself reports
                // (it keeps it until it applies a version).
                LastError = status.Snapshot.LastError,
                LastErrorAt = status.Snapshot.LastError is null ? null : status.Snapshot.LastErrorAt ?? at,
            };
    }

    internal void Applied(IEngineNode node, EngineStatus status, DateTimeOffset at)
    {
        lock (_gate)
            _states[node.Name] = _states[node.Name] with
            {
                AppliedVersion = status.AppliedVersion,
                LastContact = at,
                LastError = status.LastError,
                LastErrorAt = status.LastError is null ? null : status.LastErrorAt ?? at,
                Status = _states[node.Name].Status is { } s ? s with { Snapshot = status } : null,
            };
    }

    internal void Failed(IEngineNode node, string error, DateTimeOffset at)
    {
        lock (_gate) _states[node.Name] = _states[node.Name] with { LastError = error, LastErrorAt = at };
    }

    /// <summary>
    /// Bytes used per mailbox, from every node that answers. The largest figure wins: with mailboxes
    /// partitioned by domain one node has the mail and the others report 0, and with shared storage
    /// every node reports the same Maildir (a sum would count it once per node).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> UsageAsync(IReadOnlyCollection<string> addresses, CancellationToken ct)
    {
        var usage = addresses.Distinct(StringComparer.Ordinal).ToDictionary(a => a, _ => 0L, StringComparer.Ordinal);
        if (addresses.Count == 0) return usage;
        foreach (var answer in await Task.WhenAll(_nodes.Select(n => TryAsync(() => n.Node.UsageAsync(addresses, ct)))))
        {
            if (answer is null) continue;
            foreach (var (address, bytes) in answer)
                if (usage.TryGetValue(address, out var known) && bytes > known) usage[address] = bytes;
        }

        return usage;
    }

    /// <summary>Each reachable node's telemetry (a node that does not answer is left out; its state says why).</summary>
    public async Task<IReadOnlyList<(IEngineNode Node, NodeTelemetry Telemetry)>> TelemetryAsync(CancellationToken ct)
    {
        var answers = await Task.WhenAll(_nodes.Select(async n => (n.Node, Telemetry: await TryAsync(() => n.Node.TelemetryAsync(ct)))));
        return [.. answers.Where(a => a.Telemetry is not null).Select(a => (a.Node, a.Telemetry!))];
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> call) where T : class
    {
        try
        {
            return await call();
        }
        catch (EngineNodeException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var (node, _, _) in _nodes) (node as IDisposable)?.Dispose();
    }

    /// <summary>The in-process node under the name Console:EngineNodes gives it.</summary>
    private sealed class RenamedNode(IEngineNode inner, string name) : IEngineNode
    {
        public string Name => name;
        public Task<EngineStatus> ApplyAsync(EngineSnapshot snapshot, CancellationToken ct) => inner.ApplyAsync(snapshot, ct);
        public Task<NodeStatus> StatusAsync(CancellationToken ct) => inner.StatusAsync(ct);
        public Task<NodeTelemetry> TelemetryAsync(CancellationToken ct) => inner.TelemetryAsync(ct);
        public Task<IReadOnlyDictionary<string, long>> UsageAsync(IReadOnlyCollection<string> addresses, CancellationToken ct) => inner.UsageAsync(addresses, ct);
        public Task<ScannerReport> ScannerAsync(CancellationToken ct) => inner.ScannerAsync(ct);
        public Task<ScannerSelfTest> SelfTestAsync(CancellationToken ct) => inner.SelfTestAsync(ct);
        public Task<ScannerReport> ForceTierAsync(ScannerTier? tier, CancellationToken ct) => inner.ForceTierAsync(tier, ct);
        public Task<DmarcReportRun> SendDmarcReportsAsync(DateOnly day, CancellationToken ct) => inner.SendDmarcReportsAsync(day, ct);
        public Task<IReadOnlyList<ReceivedReport>> ReceivedReportsAsync(DateTimeOffset since, CancellationToken ct) => inner.ReceivedReportsAsync(since, ct);
        public Task<IReadOnlyList<string>> SendMailAsync(OutgoingMail mail, CancellationToken ct) => inner.SendMailAsync(mail, ct);
        public Task<IReadOnlyList<QueuedMessage>> QueueAsync(CancellationToken ct) => inner.QueueAsync(ct);
        public Task<QueueActionResult> QueueActionAsync(string queueId, QueueAction action, CancellationToken ct) => inner.QueueActionAsync(queueId, action, ct);
    }
}
