using AdminConsole.Core.Alerts;
using MailEngine.Contracts;

namespace AdminConsole.Core.Tests.Alerts;

/// <summary>Each rule over inputs that break it and inputs that do not (a full disk, a stopped node: given, not waited for).</summary>
public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlertOptions Options = new();

    private static NodeTelemetry Telemetry(int queue = 0, double oldest = 0, IReadOnlyList<CounterSample>? lastHour = null, IReadOnlyList<VolumeSpace>? volumes = null) =>
        new(queue, oldest, [], lastHour ?? [], volumes ?? [new VolumeSpace("maildir", "/srv/mail", 60, 100), new VolumeSpace("spool", "/srv/spool", 60, 100)]);

    private static AlertInputs.Node Node(string name = "mx1", bool running = true, bool inSync = true, NodeTelemetry? telemetry = null, IReadOnlyList<CounterTotals>? samples = null) =>
        new(name, running, inSync, telemetry ?? Telemetry(), samples ?? []);

    private static AlertInputs Inputs(params AlertInputs.Node[] nodes) => new(Now, nodes, [], []);

    private static List<AlertCondition> Evaluate(AlertRule rule, AlertInputs inputs) => [.. rule.Evaluate(inputs, Options)];

    [Fact]
    public void A_healthy_installation_breaks_no_rule()
    {
        var inputs = new AlertInputs(Now, [Node()], [new AlertInputs.Certificate("mx.example.test", Now.AddDays(60), 0, null)], []);
        Assert.All(AlertRules.All, r => Assert.Empty(Evaluate(r, inputs)));
    }

    [Fact]
    public void The_queue_rules_compare_length_and_oldest_age_with_their_thresholds()
    {
        Assert.Empty(Evaluate(AlertRules.QueueBackedUp, Inputs(Node(telemetry: Telemetry(queue: 100)))));
        var backedUp = Assert.Single(Evaluate(AlertRules.QueueBackedUp, Inputs(Node(telemetry: Telemetry(queue: 101)))));
        Assert.Equal(("node=mx1", 101d), (backedUp.Subject, backedUp.Value));
        Assert.Contains("101 messages are queued on mx1", backedUp.Message, StringComparison.Ordinal);

        Assert.Empty(Evaluate(AlertRules.QueueStuck, Inputs(Node(telemetry: Telemetry(queue: 1, oldest: 1800)))));
        Assert.Contains("1:00:00", Assert.Single(Evaluate(AlertRules.QueueStuck, Inputs(Node(telemetry: Telemetry(queue: 1, oldest: 3600))))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deliveries_fail_when_over_a_fifth_of_at_least_ten_attempts_in_15_minutes_were_deferred_or_bounced()
    {
        static List<CounterSample> Minutes(int count, long delivered, long deferred, long bounced) =>
            [.. Enumerable.Range(0, count).Select(i => new CounterSample(Now.AddMinutes(i - count), 0, delivered, deferred, bounced, 0))];

        // Three of four failed: too few attempts to call it a trend.
        Assert.Empty(Evaluate(AlertRules.DeliveryFailing, Inputs(Node(telemetry: Telemetry(lastHour: Minutes(1, 1, 2, 1))))));
        // 15 of 60 (25%) in the window.
        var failing = Assert.Single(Evaluate(AlertRules.DeliveryFailing, Inputs(Node(telemetry: Telemetry(lastHour: Minutes(15, 3, 1, 0))))));
        Assert.Equal(0.25, failing.Value);
        Assert.Contains("15 of 60", failing.Message, StringComparison.Ordinal);
        // The same failures spread over an hour: only the last 15 minutes count (3 of 20 failed there, 15%).
        var hour = Minutes(45, 1, 0, 0).Concat(Minutes(15, 1, 0, 0).Select((m, i) => i < 3 ? m with { Delivered = 0, Deferred = 1 } : m)).ToList();
        Assert.Empty(Evaluate(AlertRules.DeliveryFailing, Inputs(Node(telemetry: Telemetry(lastHour: hour)))));
    }

    [Fact]
    public void A_stopped_node_is_down_and_a_running_one_on_an_old_snapshot_is_behind()
    {
        var down = Assert.Single(Evaluate(AlertRules.EngineNodeDown, Inputs(Node("mx1"), Node("mx2", running: false, telemetry: null))));
        Assert.Equal("node=mx2", down.Subject);
        Assert.Empty(Evaluate(AlertRules.EngineNodeBehind, Inputs(Node("mx2", running: false, inSync: false))));
        Assert.Equal("node=mx2", Assert.Single(Evaluate(AlertRules.EngineNodeBehind, Inputs(Node("mx2", inSync: false)))).Subject);
    }

    [Fact]
    public void A_volume_with_less_than_a_tenth_free_is_low_per_store()
    {
        var disks = new FakeDisks { ["maildir"] = (12, 100), ["spool"] = (9, 100) };
        var low = Assert.Single(Evaluate(AlertRules.DiskSpaceLow, Inputs(Node(telemetry: Telemetry(volumes: disks.Volumes())))));
        Assert.Equal(("node=mx1,store=spool", 0.09), (low.Subject, low.Value));
        Assert.Contains("9.0% free", low.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificates_expiring_within_30_days_or_failing_renewal_alert_by_their_first_name()
    {
        var inputs = new AlertInputs(Now, [], [
            new AlertInputs.Certificate("ok.example.test", Now.AddDays(31), 0, null),
            new AlertInputs.Certificate("soon.example.test", Now.AddDays(12.5), 2, "the CA could not reach the server"),
            new AlertInputs.Certificate("gone.example.test", Now.AddDays(-1), 0, null)], []);
        var expiring = Evaluate(AlertRules.CertificateExpiring, inputs);
        Assert.Equal(["certificate=soon.example.test", "certificate=gone.example.test"], expiring.Select(c => c.Subject));
        Assert.Equal(12, expiring[0].Value);
        Assert.Contains("expired on 2026-12-03", expiring[1].Message, StringComparison.Ordinal);
        var failing = Assert.Single(Evaluate(AlertRules.CertificateRenewalFailing, inputs));
        Assert.Contains("failed 2 time(s): the CA could not reach the server", failing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Counter_rules_use_the_increase_over_their_window_and_a_restart_counts_from_zero()
    {
        static CounterTotals At(int minutesAgo, long authFailures, long dkimFailures = 0) => new(Now.AddMinutes(-minutesAgo),
            new Dictionary<string, long> { ["mailengine_auth_failures_total"] = authFailures, ["mailengine_dkim_sign_failures_total"] = dkimFailures });

        // 40 failures in the last 5 minutes (the 100 before them are older): no spike.
        Assert.Empty(Evaluate(AlertRules.AuthFailureSpike, Inputs(Node(samples: [At(10, 0), At(5, 100), At(0, 140)]))));
        // 80 in the last 5 minutes, across a restart of the node: 100 → 120, then 20 after it, then 20 → 60.
        var spike = Assert.Single(Evaluate(AlertRules.AuthFailureSpike, Inputs(Node(samples: [At(6, 100), At(5, 100), At(3, 120), At(2, 20), At(0, 60)]))));
        Assert.Equal(80, spike.Value);

        Assert.Empty(Evaluate(AlertRules.DkimSigningFailing, Inputs(Node(samples: [At(1, 0, 3), At(0, 0, 3)]))));
        Assert.Equal(2, Assert.Single(Evaluate(AlertRules.DkimSigningFailing, Inputs(Node(samples: [At(1, 0, 3), At(0, 0, 5)])))).Value);
        // One sample (the first evaluation after a start): nothing to compare with.
        Assert.Empty(Evaluate(AlertRules.DkimSigningFailing, Inputs(Node(samples: [At(0, 0, 5)]))));
    }

    [Fact]
    public void Broken_DNS_records_alert_per_domain_and_a_check_that_asked_nobody_says_so()
    {
        var inputs = new AlertInputs(Now, [], [], [new AlertInputs.DnsProblem("a.example", 2), new AlertInputs.DnsProblem("b.example", -1)]);
        var broken = Evaluate(AlertRules.DnsRecordsBroken, inputs);
        Assert.Equal(["domain=a.example", "domain=b.example"], broken.Select(b => b.Subject));
        Assert.Contains("could not ask any name server", broken[1].Message, StringComparison.Ordinal);
    }

    /// <summary>Free and total bytes per store, as a node's file systems would report them.</summary>
    private sealed class FakeDisks : Dictionary<string, (long Free, long Total)>
    {
        public IReadOnlyList<VolumeSpace> Volumes() => [.. this.Select(d => new VolumeSpace(d.Key, $"/srv/{d.Key}", d.Value.Free, d.Value.Total))];
    }
}
