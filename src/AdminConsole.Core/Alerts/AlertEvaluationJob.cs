using Hangfire;

namespace AdminConsole.Core.Alerts;

/// <summary>The Hangfire job "alert-evaluation": every minute, the inputs taken now, evaluated.</summary>
public sealed class AlertEvaluationJob(AlertInputSource inputs, AlertEvaluator evaluator)
{
    public const string RecurringJobId = "alert-evaluation";

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken ct) => await evaluator.EvaluateAsync(await inputs.TakeAsync(ct), ct);
}
