using System.Text.Json;
using System.Threading.Channels;
using MailEngine.Addressing;
using MailEngine.Control;
using MailEngine.Queue;
using MailEngine.Storage;
using MailEngine.Telemetry;
using Microsoft.Extensions.Logging;

namespace MailEngine.Delivery;

public sealed class QueueOptions
{
    /// <summary>How long a message may wait before it is returned to its sender (the 5 days; Postfix's maximal_queue_lifetime).</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromDays(5);

    /// <summary>The first retry; each further one waits twice as long, up to <see cref="MaxRetryInterval"/>.</summary>
    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromHours(4);

    public int Workers { get; set; } = 4;

    /// <summary>The port remote exchangers are reached on: 25, except in tests.</summary>
    public int RemotePort { get; set; } = 25;

    /// <summary>MTA-STS and DANE on remote delivery (issue #16).</summary>
    public OutboundTls.OutboundTlsOptions Tls { get; set; } = new();
}

/// <summary>
/// Delivers what the spool holds: every copy local or remote, retrying temporary failures with a
/// growing back-off, returning permanent ones (and expired ones) to the sender as a DSN, never to
/// the null sender. Delivered copies are recorded one by one, so a crash repeats no delivery.
/// </summary>
public sealed class DeliveryQueue : IDeliveryScheduler, IAsyncDisposable
{
    private readonly Dkim.DkimSigning _dkim;
    private readonly Spool _spool;
    private readonly EngineSnapshotStore _snapshots;
    private readonly LocalDelivery _local;
    private readonly RemoteDelivery _remote;
    private readonly EngineCounters _counters;
    private readonly QueueOptions _options;
    private readonly string _hostName;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Channel<string> _ready = Channel.CreateUnbounded<string>();
    private readonly PriorityQueue<string, DateTimeOffset> _deferred = new();
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private Task[] _tasks = [];

    public DeliveryQueue(Spool spool, EngineSnapshotStore snapshots, Dkim.DkimSigning dkim, LocalDelivery local, RemoteDelivery remote, EngineCounters counters,
        QueueOptions options, string hostName, TimeProvider clock, ILogger logger)
    {
        _spool = spool;
        _snapshots = snapshots;
        _dkim = dkim;
        _local = local;
        _remote = remote;
        _counters = counters;
        _options = options;
        _hostName = hostName;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Messages in the queue, waiting or being delivered.</summary>
    public int Length => _spool.Count;

    /// <summary>Age of the oldest message in the queue, or zero.</summary>
    public TimeSpan OldestAge
    {
        get
        {
            var oldest = _spool.Pending().FirstOrDefault();
            if (oldest is null) return TimeSpan.Zero;
            var written = File.GetLastWriteTimeUtc(Path.Combine(_spool.QueueDirectory, oldest));
            var age = _clock.GetUtcNow() - new DateTimeOffset(written, TimeSpan.Zero);
            return age < TimeSpan.Zero ? TimeSpan.Zero : age;
        }
    }

    /// <summary>Starts the workers and picks up everything left in the spool by an earlier run.</summary>
    public void Start()
    {
        foreach (var id in _spool.Pending())
        {
            var retry = ReadRetry(id);
            if (retry is not null && retry.NextAttemptAt > _clock.GetUtcNow()) Defer(id, retry.NextAttemptAt);
            else Enqueue(id);
        }

        _tasks = [.. Enumerable.Range(0, Math.Max(1, _options.Workers)).Select(_ => Task.Run(WorkAsync)), Task.Run(SchedulerAsync)];
    }

    public void Enqueue(string queueId)
    {
        lock (_gate)
        {
            if (!_inFlight.Add(queueId)) return;
        }

        _ready.Writer.TryWrite(queueId);
    }

    private void Defer(string queueId, DateTimeOffset when)
    {
        lock (_gate) _deferred.Enqueue(queueId, when);
        _wake.Release();
    }

    private async Task SchedulerAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = _clock.GetUtcNow();
                while (_deferred.TryPeek(out var id, out var due) && due <= now)
                {
                    _deferred.Dequeue();
                    Enqueue(id);
                }

                wait = _deferred.TryPeek(out _, out var next) ? next - now : TimeSpan.FromMinutes(1);
            }

            try
            {
                using var timeout = new CancellationTokenSource(wait, _clock);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
                await _wake.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var id in _ready.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    await DeliverAsync(id, _stop.Token);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
                {
                    _logger.LogError(e, "Delivery of {QueueId} failed; retrying later", id);
                    Defer(id, _clock.GetUtcNow() + _options.FirstRetry);
                }
                finally
                {
                    lock (_gate) _inFlight.Remove(id);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DeliverAsync(string queueId, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(_spool.QueueDirectory, queueId))) return;
        var (envelope, message) = _spool.Open(queueId);
        await using var _ = message;
        var done = _spool.Delivered(queueId);
        var snapshot = _snapshots.Current;
        var failures = new List<(DeliveryTarget, DeliveryResult)>();
        var temporary = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var target in envelope.Targets.Where(t => t.Local && !done.Contains(t.Address)))
        {
            var outgoing = new List<OutgoingMessage>();
            var result = _local.Deliver(envelope, target, snapshot.Mailbox(target.Address), message, outgoing, sender => snapshot.MaySendAs(target.Address, sender));
            // What the mailbox's Sieve scripts send (vacation, redirect, reject) is queued before the copy counts as delivered.
            foreach (var mail in outgoing) Submit(mail.Sender, mail.Recipient, mail.Content, mail.Kind, queueId, mail.ForwardedFor);
            Record(queueId, envelope, target, result, failures, temporary, "local");
        }

        // One transaction per domain and envelope sender: a forwarded copy carries an SRS sender, a relayed one the original.
        // A forwarded copy is ARC-sealed by the domain that forwards it (RFC 8617), so it is grouped by that domain too.
        foreach (var group in envelope.Targets.Where(t => !t.Local && !done.Contains(t.Address))
                     .GroupBy(t => (Domain: Domain(t.Address), Sender: snapshot.ForwardingSender(envelope.Sender, t), Forwarder: snapshot.Forwarder(t)?.Name)))
        {
            var forwarder = group.Key.Forwarder is { } name ? snapshot.Domain(name) : null;
            var results = await _remote.DeliverAsync(envelope, group.Key.Sender, group.Key.Domain, group.ToList(), message, ct, forwarder);
            foreach (var target in group) Record(queueId, envelope, target, results[target.Address], failures, temporary, "remote");
        }

        var retry = ReadRetry(queueId) ?? new RetryState(0, _clock.GetUtcNow(), new Dictionary<string, string>());
        var expired = _clock.GetUtcNow() - envelope.ReceivedAt >= _options.MaxLifetime;
        if (temporary.Count > 0 && expired)
        {
            // RFC 5321 4.5.4.1: give up after the queue lifetime and tell the sender.
            foreach (var target in envelope.Targets.Where(t => temporary.ContainsKey(t.Address)))
            {
                var result = DeliveryResult.Failed("5.4.7", $"delivery time expired; last error: {temporary[target.Address]}");
                failures.Add((target, result));
                _spool.MarkDelivered(queueId, target.Address);
                _counters.Bounced.Add(1);
            }

            temporary.Clear();
        }

        if (failures.Count > 0) Bounce(envelope, failures, message);

        if (temporary.Count == 0)
        {
            _spool.Complete(queueId);
            File.Delete(RetryPath(queueId));
            return;
        }

        var attempts = retry.Attempts + 1;
        var delay = TimeSpan.FromTicks(Math.Min(_options.MaxRetryInterval.Ticks, _options.FirstRetry.Ticks * (1L << Math.Min(attempts - 1, 20))));
        var next = _clock.GetUtcNow() + delay;
        DurableFile.WriteAllBytes(RetryPath(queueId), JsonSerializer.SerializeToUtf8Bytes(new RetryState(attempts, next, temporary), JsonSerializerOptions.Web));
        _logger.LogInformation("Deferred {QueueId}: {Count} copies, attempt {Attempt}, next at {Next:u}", queueId, temporary.Count, attempts, next);
        Defer(queueId, next);
    }

    private void Record(string queueId, Envelope envelope, DeliveryTarget target, DeliveryResult result,
        List<(DeliveryTarget, DeliveryResult)> failures, Dictionary<string, string> temporary, string kind)
    {
        _logger.LogInformation("Delivery {QueueId} to <{Recipient}> ({Kind}): {Outcome} {Status} {Detail}",
            queueId, target.Address, kind, result.Delivered ? "delivered" : result.Permanent ? "failed" : "deferred", result.Status, result.Detail);
        if (result.Delivered)
        {
            // Progress is recorded for a message with several targets, so that a retry or a restart does
            // not deliver the others again; with one target the message is completed next (see Spool.Complete).
            if (envelope.Targets.Count > 1) _spool.MarkDelivered(queueId, target.Address);
            _counters.Delivered.Add(1, new KeyValuePair<string, object?>("kind", kind));
        }
        else if (result.Permanent)
        {
            failures.Add((target, result));
            _spool.MarkDelivered(queueId, target.Address);
            _counters.Bounced.Add(1);
        }
        else
        {
            temporary[target.Address] = result.Detail;
            _counters.Deferred.Add(1);
        }
    }

    /// <summary>Queues a DSN to the sender; never for the null sender (RFC 5321 6.1), so bounces cannot loop.</summary>
    private void Bounce(Envelope envelope, List<(DeliveryTarget, DeliveryResult)> failures, Stream message)
    {
        if (envelope.Sender.Length == 0 || !EmailAddress.TryParse(envelope.Sender, out var sender, out _))
        {
            _logger.LogInformation("No DSN for {QueueId}: the sender is null", envelope.QueueId);
            return;
        }

        var report = DeliveryStatusNotification.Build(envelope, failures, message, _hostName, _clock.GetUtcNow());
        Submit(string.Empty, envelope.Sender, report, "dsn", envelope.QueueId);
    }

    /// <summary>
    /// Queues a message the engine itself sends (a DSN, a vacation reply, a Sieve redirect or refusal)
    /// to one recipient, resolved like any other: a local mailbox, a group's members, or remote.
    /// </summary>
    /// <param name="forwardedFor">The mailbox a redirect forwards for: the copies' original recipient (SRS rewrites for it).</param>
    private bool Submit(string sender, string recipient, byte[] content, string kind, string causedBy, string? forwardedFor = null)
    {
        if (!EmailAddress.TryParse(recipient, out var address, out _)) return false;
        var resolution = _snapshots.Current.Resolve(address);
        var original = forwardedFor ?? recipient;
        var targets = resolution.Kind switch
        {
            RecipientKind.LocalMailbox => [new DeliveryTarget(resolution.Address, true, original)],
            RecipientKind.Alias => resolution.Targets.Select(t => new DeliveryTarget(t, _snapshots.Current.Mailbox(t) is not null, original)).ToList(),
            RecipientKind.Remote or RecipientKind.SrsReturn => [new DeliveryTarget(resolution.Address, false, original)],
            _ => new List<DeliveryTarget>(),
        };
        if (targets.Count == 0) return false;

        var queued = new Envelope
        {
            QueueId = Spool.NewQueueId(),
            ReceivedAt = _clock.GetUtcNow(),
            Sender = sender,
            Targets = targets,
            Listener = kind,
        };
        // What the engine sends itself is signed like what users send, when it comes from one of our
        // domains (a vacation reply, a refusal from the user's filter); a key that fails leaves it
        // unsigned rather than lose a DSN, and is counted.
        byte[]? signatures = null;
        try
        {
            using var read = new MemoryStream(content, writable: false);
            signatures = _dkim.Sign(read, _snapshots.Current);
        }
        catch (Dkim.DkimSigningException e)
        {
            _logger.LogError("{Kind} for {QueueId}: DKIM signing failed, sent unsigned: {Error}", kind, causedBy, e.Message);
        }

        using (var incoming = _spool.Begin(queued))
        {
            incoming.AddedHeaders = signatures;
            incoming.Stream.Write(content);
            incoming.Commit();
        }

        _logger.LogInformation("{Kind} {QueuedId} for {QueueId} queued to <{Recipient}>", kind, queued.QueueId, causedBy, recipient);
        Enqueue(queued.QueueId);
        return true;
    }

    /// <summary>The queued messages, oldest first, for the console's queue view: envelope, size, retry state, never content.</summary>
    public IReadOnlyList<Contracts.QueuedMessage> List()
    {
        var listed = new List<Contracts.QueuedMessage>();
        foreach (var id in _spool.Pending())
        {
            try
            {
                Envelope envelope;
                long size;
                var (opened, message) = _spool.Open(id);
                using (message)
                {
                    envelope = opened;
                    size = message.Length;
                }

                var done = _spool.Delivered(id);
                var retry = ReadRetry(id);
                bool inFlight;
                lock (_gate) inFlight = _inFlight.Contains(id);
                listed.Add(new Contracts.QueuedMessage(id, envelope.Sender,
                    [.. envelope.Targets.Select(t => new Contracts.QueuedRecipient(t.Address, t.Local, done.Contains(t.Address), retry?.LastErrors.GetValueOrDefault(t.Address)))],
                    size, envelope.ReceivedAt, retry?.Attempts ?? 0, retry is not null && retry.NextAttemptAt > _clock.GetUtcNow() && !inFlight ? retry.NextAttemptAt : null, inFlight));
            }
            catch (Exception e) when (e is FileNotFoundException or IOException or InvalidDataException or JsonException)
            {
                // Delivered and removed while listing, or being written: it is not in the queue to show.
            }
        }

        return listed;
    }

    /// <summary>
    /// An operator's action on one message. Retry puts it before the workers now. Bounce and delete
    /// take it while no worker has it (and keep the workers off it meanwhile): bounce tells the sender
    /// of the recipients not delivered yet (a DSN, unless the sender is null), then both remove it.
    /// </summary>
    public Contracts.QueueActionResult Act(string queueId, Contracts.QueueAction action)
    {
        if (!_spool.Pending().Contains(queueId, StringComparer.Ordinal)) return new(false, $"{queueId} is not in the queue (delivered, bounced or removed already).");
        if (action == Contracts.QueueAction.Retry)
        {
            var retry = ReadRetry(queueId);
            if (retry is not null) DurableFile.WriteAllBytes(RetryPath(queueId), JsonSerializer.SerializeToUtf8Bytes(retry with { NextAttemptAt = _clock.GetUtcNow() }, JsonSerializerOptions.Web));
            Enqueue(queueId);
            _logger.LogInformation("{QueueId} retried now by an operator", queueId);
            return new(true, null);
        }

        lock (_gate)
        {
            if (!_inFlight.Add(queueId)) return new(false, $"{queueId} is being delivered right now; look again in a moment.");
        }

        try
        {
            if (!File.Exists(Path.Combine(_spool.QueueDirectory, queueId))) return new(false, $"{queueId} is not in the queue any more.");
            if (action == Contracts.QueueAction.Bounce)
            {
                var (envelope, message) = _spool.Open(queueId);
                using (message)
                {
                    var done = _spool.Delivered(queueId);
                    var failures = envelope.Targets.Where(t => !done.Contains(t.Address))
                        .Select(t => (t, DeliveryResult.Failed("5.3.0", "removed from the queue by the administrator without delivery"))).ToList();
                    if (failures.Count > 0) Bounce(envelope, failures, message);
                    _counters.Bounced.Add(failures.Count);
                }
            }

            _spool.Complete(queueId);
            File.Delete(RetryPath(queueId));
            _logger.LogInformation("{QueueId} {Action} by an operator", queueId, action == Contracts.QueueAction.Bounce ? "bounced" : "deleted");
            return new(true, null);
        }
        finally
        {
            // A deferred entry left in the schedule finds no file and is dropped (DeliverAsync).
            lock (_gate) _inFlight.Remove(queueId);
        }
    }

    /// <summary>Queues a message the engine composed (a DMARC report), signed like the others; false when the recipient resolves to nothing.</summary>
    public bool QueueGenerated(string sender, string recipient, byte[] content, string kind) => Submit(sender, recipient, content, kind, kind);

    private static string Domain(string address) => Addressing.EmailAddress.DomainOf(address);

    private string RetryPath(string queueId) => Path.Combine(_spool.QueueDirectory, queueId + ".retry");

    private RetryState? ReadRetry(string queueId)
    {
        var path = RetryPath(queueId);
        return File.Exists(path) ? JsonSerializer.Deserialize<RetryState>(File.ReadAllBytes(path), JsonSerializerOptions.Web) : null;
    }

    private sealed record RetryState(int Attempts, DateTimeOffset NextAttemptAt, IReadOnlyDictionary<string, string> LastErrors);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _ready.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Delivery workers did not stop within 30 s; the spool keeps their messages");
        }

        _stop.Dispose();
    }
}
