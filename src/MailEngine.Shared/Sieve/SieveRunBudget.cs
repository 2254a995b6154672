using System.Diagnostics;

namespace MailEngine.Sieve;

/// <summary>
/// What one run of a script may spend, across every command and comparison in it (Pigeonhole's
/// sieve_max_cpu_time): a count of steps — each command, each value compared, each backtracking
/// step of :matches, each 64 characters a comparison reads — and a wall-clock bound. Past either,
/// the run ends as a runtime error, so the message is kept (RFC 5228 2.10.6), and the error is logged
/// and counted. A budget per (value, key) pair let 100 keys and 5 long headers take 14 CPU-seconds.
/// </summary>
public sealed class SieveRunBudget(long maxSteps, TimeSpan maxTime)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _steps;

    public long Steps => _steps;

    /// <summary>Spends <paramref name="steps"/>; throws <see cref="SieveBudgetExceededException"/> past the budget.</summary>
    public void Spend(long steps = 1)
    {
        _steps += steps;
        if (_steps > maxSteps) throw new SieveBudgetExceededException($"the script ran more than {maxSteps} steps");
        // The clock is read every 4096 steps: often enough to stop in time, rarely enough to cost nothing.
        if ((_steps & 0xFFF) < steps && Stopwatch.GetElapsedTime(_started) > maxTime)
            throw new SieveBudgetExceededException($"the script ran longer than {maxTime.TotalSeconds:0.#} s");
    }
}

/// <summary>A run that went past its <see cref="SieveRunBudget"/>.</summary>
public sealed class SieveBudgetExceededException(string message) : Exception(message);
