namespace AdminConsole.Core;

/// <summary>
/// Wakes a background loop that otherwise waits out its interval: any number of <see cref="Set"/>
/// calls between two waits wake it once, and a call while it is busy wakes its next wait at once.
/// </summary>
public sealed class WakeSignal
{
    private readonly SemaphoreSlim _set = new(0, 1);

    public void Set()
    {
        try
        {
            _set.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set.
        }
    }

    /// <summary>Waits for <see cref="Set"/> or <paramref name="interval"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan interval, CancellationToken ct) => _set.WaitAsync(interval, ct);
}
