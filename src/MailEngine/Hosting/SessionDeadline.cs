namespace MailEngine.Hosting;

/// <summary>A session waited too long for its client, or outlived its absolute deadline.</summary>
public sealed class SessionTimeoutException : Exception;

/// <summary>
/// The time limits of one connection, for SMTP and IMAP alike: each wait for the client is bounded
/// (a command line as a whole, not each read of it, so that a byte every few minutes does not reset
/// it), and the whole session ends at an absolute deadline that the protocol may move (IMAP moves it
/// at login: a session that never logs in gets a short one).
/// </summary>
public sealed class SessionDeadline(TimeProvider clock, TimeSpan lifetime)
{
    private DateTimeOffset _end = lifetime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : clock.GetUtcNow() + lifetime;

    /// <summary>Sets a new absolute deadline from now (infinite: none).</summary>
    public void Extend(TimeSpan lifetime) => _end = lifetime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : clock.GetUtcNow() + lifetime;

    /// <summary>When a wait of <paramref name="timeout"/> from now must end: the earlier of it and the session's deadline.</summary>
    public DateTimeOffset WaitUntil(TimeSpan timeout)
    {
        var now = clock.GetUtcNow();
        return timeout >= _end - now ? _end : now + timeout;
    }

    /// <summary>
    /// A token cancelled at <paramref name="until"/> (or when <paramref name="stopping"/> is), for one
    /// read; a read cancelled by it (and not by stopping) is a <see cref="SessionTimeoutException"/>.
    /// </summary>
    public CancellationTokenSource For(DateTimeOffset until, CancellationToken stopping)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var left = until - clock.GetUtcNow();
        if (left <= TimeSpan.Zero) cts.Cancel();
        else if (left < TimeSpan.FromDays(1)) cts.CancelAfter(left);
        return cts;
    }
}
