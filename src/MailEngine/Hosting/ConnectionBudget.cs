using System.Runtime.InteropServices;

namespace MailEngine.Hosting;

/// <summary>
/// Connections open at once over all of the engine's listeners, kept under the process's file
/// descriptor limit: at the limit the runtime itself cannot open a file or start a thread, and the
/// process died "Out of memory". The bound is the smaller of <see cref="ConnectionLimits.MaxTotal"/>
/// and what RLIMIT_NOFILE leaves once the descriptors already open at start (the runtime holds two per
/// loaded assembly: some 250 for the engine and its libraries) and a reserve are counted.
/// </summary>
/// <remarks>
/// The reserve used to be counted from the limit alone, which left the runtime 4 descriptors at a limit
/// of 400: the first metric recorded at the limit loaded an assembly, found none, and the process died
/// (seen once OpenTelemetry's listener was loaded).
/// </remarks>
public sealed partial class ConnectionBudget
{
    /// <summary>Descriptors kept, beyond those open at start, for everything that is not a client connection: the spool, the Maildirs, assemblies loaded later, threads.</summary>
    public const int Reserve = 128;

    private int _open;

    public ConnectionBudget(int maxTotal)
    {
        var descriptors = DescriptorLimit();
        InUseAtStart = OpenDescriptors();
        Max = descriptors is { } limit ? (int)Math.Clamp(Math.Min(maxTotal, limit - InUseAtStart - Reserve), 1, int.MaxValue) : maxTotal;
    }

    /// <summary>The descriptors the process had open when the budget was made.</summary>
    public int InUseAtStart { get; }

    /// <summary>How many descriptors the process has open (/proc/self/fd), or 0 where that cannot be read.</summary>
    public static int OpenDescriptors()
    {
        try
        {
            return OperatingSystem.IsLinux() ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
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
