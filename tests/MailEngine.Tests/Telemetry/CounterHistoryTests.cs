using MailEngine.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace MailEngine.Tests.Telemetry;

public sealed class CounterHistoryTests
{
    [Fact]
    public void Per_minute_figures_are_the_increases_between_samples_and_only_the_last_hour_is_kept()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero));
        var counters = new EngineCounters();
        var history = new CounterHistory(counters, clock);
        history.TakeSample();

        counters.Accepted.Add(3, new("listener", "mx"));
        counters.Delivered.Add(2, new("kind", "local"));
        clock.Advance(TimeSpan.FromMinutes(1));
        history.TakeSample();
        counters.Accepted.Add(1, new("listener", "submission"));
        clock.Advance(TimeSpan.FromMinutes(1));
        history.TakeSample();

        var minutes = history.PerMinute();
        Assert.Equal(2, minutes.Count);
        Assert.Equal((3L, 2L), (minutes[0].Accepted, minutes[0].Delivered));
        Assert.Equal((1L, 0L), (minutes[1].Accepted, minutes[1].Delivered));
        Assert.Equal(clock.GetUtcNow(), minutes[1].At);

        for (var i = 0; i < 100; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            history.TakeSample();
        }

        Assert.Equal(CounterHistory.Minutes, history.PerMinute().Count);
    }
}
