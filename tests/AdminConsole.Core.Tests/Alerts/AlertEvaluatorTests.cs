using AdminConsole.Core.Alerts;
using AdminConsole.Testing;
using MailEngine.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AdminConsole.Core.Tests.Alerts;

/// <summary>Pending, firing and resolved over PostgreSQL, with the clock moved by the test.</summary>
public sealed class AlertEvaluatorTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    private static AlertInputs.Node Node(string name, bool running = true, int queue = 0) =>
        new(name, running, true, running ? new NodeTelemetry(queue, 0, [], [], []) : null, []);

    private async Task<AlertEvaluator.Outcome> EvaluateAsync(params AlertInputs.Node[] nodes)
    {
        await using var db = database.CreateContext();
        return await new AlertEvaluator(db, Options.Create(new AlertOptions()), NullLogger<AlertEvaluator>.Instance)
            .EvaluateAsync(new AlertInputs(_clock.GetUtcNow(), nodes, [], []), CancellationToken.None);
    }

    private async Task<List<AlertEvent>> EventsAsync(string subject)
    {
        await using var db = database.CreateContext();
        return await db.AlertEvents.Where(e => e.Subject == subject).OrderBy(e => e.At).ToListAsync();
    }

    [Fact]
    public async Task A_node_down_is_pending_for_two_minutes_then_fires_once_and_resolves_when_it_is_back()
    {
        var first = await EvaluateAsync(Node("down-1", running: false));
        Assert.Empty(first.Fired);
        await using (var db = database.CreateContext())
            Assert.Equal(AlertStatus.Pending, (await db.AlertStates.SingleAsync(s => s.Subject == "node=down-1")).Status);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty((await EvaluateAsync(Node("down-1", running: false))).Fired);

        _clock.Advance(TimeSpan.FromMinutes(1));
        var fired = Assert.Single((await EvaluateAsync(Node("down-1", running: false))).Fired);
        Assert.Equal(("EngineNodeDown", _clock.GetUtcNow()), (fired.RuleId, fired.FiredAt!.Value));

        // Still down: still firing, fired once.
        _clock.Advance(TimeSpan.FromMinutes(1));
        var again = await EvaluateAsync(Node("down-1", running: false));
        Assert.Empty(again.Fired);
        Assert.Contains(again.Firing, s => s.Subject == "node=down-1");

        _clock.Advance(TimeSpan.FromMinutes(1));
        var back = await EvaluateAsync(Node("down-1"));
        Assert.Equal("node=down-1", Assert.Single(back.Resolved).Event.Subject);
        Assert.DoesNotContain(back.Firing, s => s.Subject == "node=down-1");
        Assert.Equal([AlertEventKind.Fired, AlertEventKind.Resolved], (await EventsAsync("node=down-1")).Select(e => e.Kind));
    }

    [Fact]
    public async Task A_condition_gone_before_its_duration_leaves_no_history()
    {
        await EvaluateAsync(Node("brief-1", running: false));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var outcome = await EvaluateAsync(Node("brief-1"));
        Assert.Empty(outcome.Fired);
        Assert.Empty(outcome.Resolved);
        Assert.Empty(await EventsAsync("node=brief-1"));
        await using var db = database.CreateContext();
        Assert.False(await db.AlertStates.AnyAsync(s => s.Subject == "node=brief-1"));
    }

    [Fact]
    public async Task A_rule_without_a_duration_fires_at_the_first_evaluation_and_keeps_the_newest_figure()
    {
        await using (var db = database.CreateContext())
        {
            var outcome = await new AlertEvaluator(db, Options.Create(new AlertOptions()), NullLogger<AlertEvaluator>.Instance).EvaluateAsync(
                new AlertInputs(_clock.GetUtcNow(), [], [new AlertInputs.Certificate("exp-1.example.test", _clock.GetUtcNow().AddDays(20), 0, null)], []), CancellationToken.None);
            Assert.Equal("certificate=exp-1.example.test", Assert.Single(outcome.Fired).Subject);
        }

        _clock.Advance(TimeSpan.FromDays(1));
        await using (var db = database.CreateContext())
        {
            var outcome = await new AlertEvaluator(db, Options.Create(new AlertOptions()), NullLogger<AlertEvaluator>.Instance).EvaluateAsync(
                new AlertInputs(_clock.GetUtcNow(), [], [new AlertInputs.Certificate("exp-1.example.test", _clock.GetUtcNow().AddDays(19), 0, null)], []), CancellationToken.None);
            Assert.Empty(outcome.Fired);
            Assert.Equal(19, Assert.Single(outcome.Firing, s => s.Subject == "certificate=exp-1.example.test").Value);
        }

        // The API's view: firing, with the rule's title and advice.
        await using (var db = database.CreateContext())
        {
            var view = Assert.Single(await new AlertService(db, _clock).CurrentAsync(CancellationToken.None), a => a.Subject == "certificate=exp-1.example.test");
            Assert.Equal(("firing", "Certificate expiring", "warning"), (view.Status, view.Title, view.Severity));
            Assert.Contains("in 19 days", view.Message, StringComparison.Ordinal);
        }
    }
}
