using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Alerts;

/// <summary>
/// Evaluates every rule (each minute, <see cref="AlertEvaluationJob"/>) and keeps the states: a
/// condition found for the first time is pending, and fires once it has held for the rule's
/// <see cref="AlertRule.For"/>; a firing alert the next evaluation does not find is resolved. Fired
/// and resolved are kept as history.
/// </summary>
public sealed class AlertEvaluator(AdminDbContext db, IOptions<AlertOptions> options, ILogger<AlertEvaluator> logger)
{
    /// <summary>What one evaluation changed.</summary>
    /// <param name="Resolved">With whether the channels had been told it fired (only then are they told it resolved).</param>
    public sealed record Outcome(IReadOnlyList<AlertState> Fired, IReadOnlyList<(AlertEvent Event, bool Notified)> Resolved, IReadOnlyList<AlertState> Firing);

    public async Task<Outcome> EvaluateAsync(AlertInputs taken, CancellationToken ct)
    {
        var now = taken.Now;
        var found = new Dictionary<(string Rule, string Subject), AlertCondition>();
        foreach (var rule in AlertRules.All)
        foreach (var condition in rule.Evaluate(taken, options.Value))
            found[(rule.Id, condition.Subject)] = condition;

        var states = await db.AlertStates.ToListAsync(ct);
        var fired = new List<AlertState>();
        var resolved = new List<(AlertEvent, bool)>();
        foreach (var state in states)
        {
            if (found.Remove((state.RuleId, state.Subject), out var condition))
            {
                state.LastSeenAt = now;
                state.Value = condition.Value;
                state.Message = condition.Message;
                if (state.Status == AlertStatus.Pending && now - state.Since >= For(state.RuleId)) Fire(state);
                continue;
            }

            db.AlertStates.Remove(state);
            if (state.Status != AlertStatus.Firing) continue;
            var ended = new AlertEvent { Id = Guid.NewGuid(), RuleId = state.RuleId, Subject = state.Subject, Kind = AlertEventKind.Resolved, At = now, Value = state.Value, Message = $"Resolved: {state.Message}" };
            db.AlertEvents.Add(ended);
            resolved.Add((ended, state.NotifiedAt is not null));
            logger.LogInformation("Alert {Rule} for {Subject} resolved", state.RuleId, state.Subject);
        }

        foreach (var ((rule, subject), condition) in found)
        {
            var state = new AlertState { Id = Guid.NewGuid(), RuleId = rule, Subject = subject, Status = AlertStatus.Pending, Since = now, LastSeenAt = now, Value = condition.Value, Message = condition.Message };
            db.AlertStates.Add(state);
            if (For(rule) <= TimeSpan.Zero) Fire(state);
        }

        await db.SaveChangesAsync(ct);
        return new Outcome(fired, resolved, await db.AlertStates.Where(s => s.Status == AlertStatus.Firing).OrderBy(s => s.FiredAt).ToListAsync(ct));

        void Fire(AlertState state)
        {
            state.Status = AlertStatus.Firing;
            state.FiredAt = now;
            db.AlertEvents.Add(new AlertEvent { Id = Guid.NewGuid(), RuleId = state.RuleId, Subject = state.Subject, Kind = AlertEventKind.Fired, At = now, Value = state.Value, Message = state.Message });
            fired.Add(state);
            logger.LogWarning("Alert {Rule} for {Subject} fired: {Message}", state.RuleId, state.Subject, state.Message);
        }
    }

    private static TimeSpan For(string ruleId) => AlertRules.Find(ruleId)?.For ?? TimeSpan.Zero;
}
