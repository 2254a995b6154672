using System.Runtime.InteropServices;

namespace MailEngine.Storage;

/// <summary>
/// Writes that survive a crash: data is fsync'ed, renamed into place, and the directory holding the
/// new name is fsync'ed too, since a rename is only durable once its directory is (see RECIPES.md:
/// tmp write → fsync file → rename → fsync dir, checked with strace).
/// </summary>
public static partial class DurableFile
{
    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000; // x86-64 Linux
    private const int O_CLOEXEC = 0x80000;
    private const int EINTR = 4;

    /// <summary>Writes <paramref name="contents"/> to <paramref name="path"/> atomically and durably, with Unix mode 0600.</summary>
    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> contents) => Write(path, stream => stream.Write(contents.Span));

    /// <summary>
    /// Writes what <paramref name="write"/> puts in the stream to <paramref name="path"/> atomically and
    /// durably, with Unix mode 0600: for large contents that need not be held in memory whole first.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = OpenPrivate(temporary))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            SyncDirectory(directory);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Creates a new file readable and writable by this user only (0600); others may read it meanwhile (SMTP runs Sieve on a message before it is committed).</summary>
    public static FileStream OpenPrivate(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 64 * 1024 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }

    /// <summary>fsync(2) on a directory, so renames and creations in it are durable.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw new IOException($"open({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            while (fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR) throw new IOException($"fsync({directory}) failed: errno {errno}");
            }
        }
        finally
        {
            // Never retry close(2): the descriptor is gone even when it reports EINTR.
            _ = close(fd);
        }
    }

    /// <summary>
    /// Renames and makes the rename durable (both directories when they differ). Callers use unique
    /// names (Maildir, spool), so this is a plain rename(2): without overwrite .NET links and
    /// unlinks instead, twice the metadata work.
    /// </summary>
    /// <param name="syncSource">
    /// Also make the removal from the source folder durable. Not needed when the source is a tmp/
    /// folder that nothing reads as messages (the spool's tmp/ is emptied at start, Maildir readers skip
    /// tmp/): the new name is durable after the destination's fsync, and a crash can at worst leave a
    /// stale second name in tmp/ (one fsync less per message, measured in bench/smtp.sh).
    /// </param>
    public static void MoveDurably(string source, string destination, bool syncSource = true)
    {
        Rename(source, destination);
        var destinationDirectory = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        SyncDirectory(destinationDirectory);
        var sourceDirectory = Path.GetDirectoryName(Path.GetFullPath(source))!;
        if (syncSource && sourceDirectory != destinationDirectory) SyncDirectory(sourceDirectory);
    }

    /// <summary>
    /// rename(2) and nothing else: .NET's File.Move stats the source first, which costs a third of
    /// the work when a folder's first open moves thousands of messages from new/ to cur/.
    /// </summary>
    public static void Rename(string source, string destination)
    {
        if (!OperatingSystem.IsLinux())
        {
            File.Move(source, destination, overwrite: true);
            return;
        }

        while (rename(source, destination) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR) continue;
            if (errno == ENOENT) throw new FileNotFoundException($"rename({source}) failed: no such file", source);
            throw new IOException($"rename({source}, {destination}) failed: errno {errno}");
        }
    }

    private const int ENOENT = 2;

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string oldpath, string newpath);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int close(int fd);
}
