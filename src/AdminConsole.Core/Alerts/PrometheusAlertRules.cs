using YamlDotNet.Serialization;

namespace AdminConsole.Core.Alerts;

/// <summary>
/// The alert rules as a Prometheus rules file (recording-free, one group), for operators who scrape
/// the console's /metrics with their own Prometheus and Alertmanager: the same rules, thresholds and
/// durations the console evaluates. <c>deploy/prometheus/mail-alerts.yml</c> is this with the default
/// thresholds (a test keeps it so); <c>adminctl alerts rules</c> writes it with the configured ones.
/// </summary>
public static class PrometheusAlertRules
{
    public const string GroupName = "mail-platform";

    public const string Header =
        "# The mail platform's alert rules for Prometheus, over the console's /metrics.\n" +
        "# Written by `deploy/adminctl alerts rules` from the rules the console evaluates itself\n" +
        "# (src/AdminConsole.Core/Alerts/AlertRules.cs); thresholds are the Alerts:* settings.\n" +
        "# Checked with `promtool check rules` and `promtool test rules mail-alerts.test.yml`.\n";

    public static string Yaml(AlertOptions options)
    {
        var rules = AlertRules.All.Select(r =>
        {
            var rule = new Dictionary<string, object> { ["alert"] = r.Id, ["expr"] = r.Expression(options) };
            if (r.For > TimeSpan.Zero) rule["for"] = Duration(r.For);
            rule["labels"] = new Dictionary<string, string> { ["severity"] = r.Severity.ToString().ToLowerInvariant() };
            rule["annotations"] = new Dictionary<string, string> { ["summary"] = r.PrometheusSummary, ["description"] = r.Advice };
            return rule;
        }).ToList();
        var file = new Dictionary<string, object> { ["groups"] = new[] { new Dictionary<string, object> { ["name"] = GroupName, ["rules"] = rules } } };
        return Header + new SerializerBuilder().Build().Serialize(file);
    }

    /// <summary>A duration in Prometheus' form (1h, 10m, 30s), largest unit that divides it.</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalHours == Math.Floor(span.TotalHours) && span.TotalHours >= 1 ? $"{span.TotalHours:0}h"
        : span.TotalMinutes == Math.Floor(span.TotalMinutes) && span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0}m"
        : $"{Math.Ceiling(span.TotalSeconds):0}s";
}
