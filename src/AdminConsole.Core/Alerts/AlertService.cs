using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Alerts;

/// <summary>What the Alerts page, GET /api/v1/alerts and adminctl show: the alerts now, and the history.</summary>
public sealed class AlertService(AdminDbContext db, TimeProvider clock)
{
    /// <param name="Status">firing or pending.</param>
    /// <param name="FiresAt">For a pending alert, when it fires if the condition still holds.</param>
    /// <param name="SilencedUntil">When the silence that keeps its notifications quiet ends (the latest, if several match); null: not silenced.</param>
    public sealed record AlertView(string Rule, string Title, string Severity, string Status, string Subject, string Message, double Value,
        DateTimeOffset Since, DateTimeOffset? FiredAt, DateTimeOffset? FiresAt, DateTimeOffset LastSeenAt, string Advice, string? AcknowledgedBy,
        DateTimeOffset? SilencedUntil, string? SilenceReason);

    public sealed record AlertEventView(string Rule, string Title, string Kind, string Subject, string Message, double Value, DateTimeOffset At);

    public sealed record RuleView(string Id, string Title, string Severity, string For, string Advice);

    public async Task<IReadOnlyList<AlertView>> CurrentAsync(CancellationToken ct)
    {
        var states = await db.AlertStates.AsNoTracking().ToListAsync(ct);
        var now = clock.GetUtcNow();
        var silences = await db.AlertSilences.AsNoTracking().Where(s => s.Until > now).OrderByDescending(s => s.Until).ToListAsync(ct);
        return [.. states
            .OrderBy(s => s.Status == AlertStatus.Firing ? 0 : 1)
            .ThenBy(s => AlertRules.Find(s.RuleId)?.Severity == AlertSeverity.Critical ? 0 : 1)
            .ThenBy(s => s.FiredAt ?? s.Since)
            .Select(s =>
            {
                var rule = AlertRules.Find(s.RuleId);
                // The notifier's own test of a silence (AlertSilence.Matches), so the page says what the channels get.
                var silence = silences.FirstOrDefault(x => x.Matches(s.RuleId, s.Subject, now));
                return new AlertView(s.RuleId, rule?.Title ?? s.RuleId, Severity(rule), s.Status.ToString().ToLowerInvariant(), s.Subject, s.Message, s.Value,
                    s.Since, s.FiredAt, s.Status == AlertStatus.Pending && rule is not null ? s.Since + rule.For : null, s.LastSeenAt, rule?.Advice ?? "", s.AcknowledgedBy,
                    silence?.Until, silence?.Reason);
            })];
    }

    public async Task<IReadOnlyList<AlertEventView>> HistoryAsync(int limit, CancellationToken ct)
    {
        var events = await db.AlertEvents.AsNoTracking().OrderByDescending(e => e.At).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
        return [.. events.Select(e => new AlertEventView(e.RuleId, AlertRules.Find(e.RuleId)?.Title ?? e.RuleId, e.Kind.ToString().ToLowerInvariant(), e.Subject, e.Message, e.Value, e.At))];
    }

    public static IReadOnlyList<RuleView> Rules() =>
        [.. AlertRules.All.Select(r => new RuleView(r.Id, r.Title, Severity(r), PrometheusAlertRules.Duration(r.For), r.Advice))];

    private static string Severity(AlertRule? rule) => (rule?.Severity ?? AlertSeverity.Warning).ToString().ToLowerInvariant();
}
