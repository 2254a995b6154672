using AdminConsole.Core.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Alerts;

/// <summary>The Hangfire job "alert-evaluation": every minute, the inputs taken now, evaluated, and the channels told.</summary>
public sealed class AlertEvaluationJob(AdminDbContext db, AlertInputSource inputs, AlertEvaluator evaluator, AlertNotifier notifier)
{
    public const string RecurringJobId = "alert-evaluation";

    /// <summary>The advisory lock that makes evaluations one at a time across every console (and a run started by hand).</summary>
    private const long Lock = 7424520002;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken ct)
    {
        // Two evaluations side by side would both see a new condition and both tell the channels.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({Lock})", ct);
        await notifier.NotifyAsync(await evaluator.EvaluateAsync(await inputs.TakeAsync(ct), ct), ct);
        await transaction.CommitAsync(ct);
    }
}
