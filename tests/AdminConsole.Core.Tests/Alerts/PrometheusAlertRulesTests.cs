using AdminConsole.Core.Alerts;
using AdminConsole.Testing;

namespace AdminConsole.Core.Tests.Alerts;

/// <summary>The rules file for operators' Prometheus: what the console evaluates, accepted and unit-tested by Debian's promtool.</summary>
public sealed class PrometheusAlertRulesTests
{
    private static string Folder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AdminConsole.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("no AdminConsole.sln above the test folder"), "deploy", "prometheus");
    }

    [Fact]
    public void The_shipped_file_is_the_rules_with_the_default_thresholds()
    {
        // When this fails after a rule changed: deploy/adminctl alerts rules > deploy/prometheus/mail-alerts.yml
        Assert.Equal(PrometheusAlertRules.Yaml(new AlertOptions()), File.ReadAllText(Path.Combine(Folder(), "mail-alerts.yml")));
    }

    [Fact]
    public async Task Promtool_accepts_the_rules_and_their_unit_tests_pass()
    {
        var check = await ExternalProgram.RunInAsync(Folder(), TimeSpan.FromMinutes(2), null, "promtool", "check", "rules", "mail-alerts.yml");
        Assert.True(check.ExitCode == 0, check.Output + check.Errors);
        Assert.Contains($"SUCCESS: {AlertRules.All.Count} rules found", check.Output, StringComparison.Ordinal);
        var test = await ExternalProgram.RunInAsync(Folder(), TimeSpan.FromMinutes(2), null, "promtool", "test", "rules", "mail-alerts.test.yml");
        Assert.True(test.ExitCode == 0, test.Output + test.Errors);
    }

    [Fact]
    public async Task Changed_thresholds_are_written_into_the_expressions_and_promtool_still_accepts_them()
    {
        var yaml = PrometheusAlertRules.Yaml(new AlertOptions { QueueMessagesMax = 500, DiskFreeRatioMin = 0.05, QueueOldestMax = TimeSpan.FromHours(2) });
        Assert.Contains("expr: mailengine_queue_messages > 500\n", yaml, StringComparison.Ordinal);
        Assert.Contains("expr: mailengine_volume_free_bytes / mailengine_volume_size_bytes < 0.05\n", yaml, StringComparison.Ordinal);
        Assert.Contains("expr: mailengine_queue_oldest_seconds > 7200\n", yaml, StringComparison.Ordinal);
        var file = Path.Combine(Directory.CreateTempSubdirectory("rules").FullName, "rules.yml");
        try
        {
            await File.WriteAllTextAsync(file, yaml);
            var check = await ExternalProgram.RunAsync("promtool", "check", "rules", file);
            Assert.True(check.ExitCode == 0, check.Output + check.Errors);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Theory]
    [InlineData(600, "10m")]
    [InlineData(7200, "2h")]
    [InlineData(90, "90s")]
    [InlineData(0, "0s")]
    public void Durations_are_written_in_Prometheus_form(int seconds, string expected) =>
        Assert.Equal(expected, PrometheusAlertRules.Duration(TimeSpan.FromSeconds(seconds)));
}
