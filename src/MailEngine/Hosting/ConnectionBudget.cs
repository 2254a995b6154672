using System.Runtime.InteropServices;

namespace MailEngine.Hosting;

/// <summary>
/// Connections open at once over all of the engine's listeners, kept under the process's file
/// descriptor limit: at the limit the runtime itself cannot open a file or start a thread, and the
/// process died "Out of memory". The bound is the smaller of <see cref="ConnectionLimits.MaxTotal"/>
/// and RLIMIT_NOFILE less a reserve for the spool, the Maildirs, PostgreSQL and the runtime.
/// </summary>
public sealed partial class ConnectionBudget
{
    /// <summary>Descriptors kept for everything that is not a client connection.</summary>
    public const int Reserve = 256;

    private int _open;

    public ConnectionBudget(int maxTotal)
    {
        var descriptors = DescriptorLimit();
        Max = descriptors is { } limit ? (int)Math.Clamp(Math.Min(maxTotal, limit - Reserve), 1, int.MaxValue) : maxTotal;
    }

    /// <summary>The bound in effect (reported at start).</summary>
    public int Max { get; }

    public bool TryTake()
    {
        if (Interlocked.Increment(ref _open) <= Max) return true;
        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _open);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    private const int RLIMIT_NOFILE = 7;

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    /// <summary>The soft RLIMIT_NOFILE, or null where it cannot be read.</summary>
    public static long? DescriptorLimit()
    {
        if (!OperatingSystem.IsLinux()) return null;
        return getrlimit(RLIMIT_NOFILE, out var limit) == 0 && limit.Current < long.MaxValue ? (long)limit.Current : null;
    }
}
