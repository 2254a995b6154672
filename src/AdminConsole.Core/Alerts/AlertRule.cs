namespace AdminConsole.Core.Alerts;

/// <summary>
/// One alert rule, written once for both evaluators: <see cref="Evaluate"/> is what the console's
/// minutely job runs over <see cref="AlertInputs"/>, <see cref="Expression"/> the PromQL over the
/// console's /metrics that <see cref="PrometheusAlertRules"/> puts in the rules file, with the same
/// threshold and <see cref="For"/> (how long the condition must hold before the alert fires).
/// </summary>
/// <param name="Id">The alert's name, as Prometheus would have it (CamelCase).</param>
/// <param name="Advice">What an administrator does about it, for the Alerts page and notifications.</param>
/// <param name="PrometheusSummary">The summary annotation, with Prometheus' templating ($labels, $value).</param>
public sealed record AlertRule(
    string Id,
    string Title,
    AlertSeverity Severity,
    TimeSpan For,
    string Advice,
    Func<AlertInputs, AlertOptions, IEnumerable<AlertCondition>> Evaluate,
    Func<AlertOptions, string> Expression,
    string PrometheusSummary);
