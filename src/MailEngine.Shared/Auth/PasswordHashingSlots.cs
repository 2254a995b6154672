namespace MailEngine.Auth;

/// <summary>What a bounded password check found.</summary>
public enum PasswordCheck
{
    Match,
    Mismatch,

    /// <summary>Every hashing slot stayed taken for the whole wait: answer "try again later" (SMTP 454, IMAP [UNAVAILABLE], HTTP 503).</summary>
    Busy,
}

/// <summary>
/// The process-wide bound on password hashing: one Argon2id hash takes 64 MiB and a core for a
/// fraction of a second, so as many run at once as there are cores and the rest wait in line — for a
/// short while when a client is waiting (a protocol login), as long as it takes for the console's own
/// work (creating a mailbox, an import). Without it, a few hundred parallel logins with wrong passwords
/// exhausted the machine's memory.
/// </summary>
public static class PasswordHashingSlots
{
    private static readonly SemaphoreSlim Slots = new(Environment.ProcessorCount, Environment.ProcessorCount);

    /// <summary>How long a login waits for a slot by default before it is told to come back later.</summary>
    public static readonly TimeSpan LoginWait = TimeSpan.FromSeconds(5);

    /// <summary>Slots: one per core.</summary>
    public static int Count => Environment.ProcessorCount;

    /// <summary>Runs the hash in a slot, waiting as long as it takes (work the console does for an admin).</summary>
    public static T Run<T>(Func<T> hash)
    {
        Slots.Wait();
        try
        {
            return hash();
        }
        finally
        {
            Slots.Release();
        }
    }

    /// <summary>Runs the hash on a pool thread in a slot, or returns false when none frees up within the wait.</summary>
    public static async ValueTask<(bool Ran, T Result)> TryRunAsync<T>(Func<T> hash, TimeSpan wait, CancellationToken ct)
    {
        if (!await Slots.WaitAsync(wait, ct)) return (false, default!);
        try
        {
            return (true, await Task.Run(hash, ct));
        }
        finally
        {
            Slots.Release();
        }
    }
}
