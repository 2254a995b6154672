using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using MailEngine.Contracts;

namespace AdminConsole.Core.Queue;

/// <summary>
/// The queue view (#19 item 5): every node's queued messages through the engine contract, filtered by
/// domain and state, and the operator's actions on one (retry now, bounce with a DSN, delete), audited.
/// </summary>
public sealed class MailQueueService(EngineNodes nodes, AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    /// <param name="State">deferred (waiting for its next attempt), active (a worker has it or will next) .</param>
    /// <param name="LastReply">The newest remote reply among its recipients.</param>
    public sealed record QueueEntry(string Node, string QueueId, string Sender, IReadOnlyList<QueuedRecipient> Recipients, long Size, DateTimeOffset ReceivedAt,
        double AgeSeconds, int Attempts, DateTimeOffset? NextAttemptAt, string State, string? LastReply);

    /// <param name="Unreachable">Nodes that did not answer, with why: their messages are not in the list.</param>
    public sealed record QueueListing(IReadOnlyList<QueueEntry> Messages, IReadOnlyList<string> Unreachable);

    public static readonly string[] States = ["deferred", "active"];

    public async Task<QueueListing> ListAsync(string? domain, string? state, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (state is not null && !States.Contains(state)) errors.Add("state", "Choose deferred or active.");
        errors.ThrowIfAny();
        var now = clock.GetUtcNow();
        var entries = new List<QueueEntry>();
        var unreachable = new List<string>();
        foreach (var node in nodes.All)
        {
            IReadOnlyList<QueuedMessage> queued;
            try
            {
                queued = await node.QueueAsync(ct);
            }
            catch (EngineNodeException e)
            {
                unreachable.Add($"{node.Name}: {e.Message}");
                continue;
            }

            entries.AddRange(queued.Select(m => new QueueEntry(node.Name, m.QueueId, m.Sender, m.Recipients, m.Size, m.ReceivedAt,
                Math.Max(0, Math.Round((now - m.ReceivedAt).TotalSeconds)), m.Attempts, m.NextAttemptAt, m.NextAttemptAt is null ? "active" : "deferred",
                m.Recipients.Select(r => r.LastReply).LastOrDefault(r => r is not null))));
        }

        var wanted = domain?.Trim().TrimStart('@').ToLowerInvariant();
        return new QueueListing([.. entries
            .Where(e => state is null || e.State == state)
            .Where(e => string.IsNullOrEmpty(wanted) || e.Sender.EndsWith("@" + wanted, StringComparison.OrdinalIgnoreCase)
                || e.Recipients.Any(r => r.Address.EndsWith("@" + wanted, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(e => e.ReceivedAt)], unreachable);
    }

    public async Task ActAsync(string nodeName, string queueId, QueueAction action, string actor, string? remoteAddress, CancellationToken ct)
    {
        var node = nodes.All.FirstOrDefault(n => n.Name == nodeName) ?? throw new DomainNotFoundException($"There is no engine node named {nodeName}.");
        var result = await node.QueueActionAsync(queueId, action, ct);
        if (!result.Done)
        {
            if (result.Reason?.Contains("not in the queue", StringComparison.Ordinal) == true) throw new DomainNotFoundException(result.Reason);
            throw new DomainConflictException("queueId", result.Reason ?? "The node did not do it.");
        }

        audit.Record(actor, $"queue.{action.ToString().ToLowerInvariant()}", $"{nodeName}:{queueId}", null, remoteAddress);
        await db.SaveChangesAsync(ct);
    }
}
