using System.Runtime.InteropServices;

namespace MailEngine.Storage;

/// <summary>
/// Mail and its metadata are the users' alone: every file the engine makes is 0600 and every folder
/// 0700, by the process's umask (077), so that no other local user reads envelopes out of an IMAP
/// index or subjects out of a Maildir. Folders made before (0755, 0644) are tightened once at start.
/// </summary>
public static partial class PrivateFiles
{
    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint umask(uint mask);

    /// <summary>Sets the process umask to 077 (new files 0600, folders 0700).</summary>
    public static void RestrictNewFiles()
    {
        if (OperatingSystem.IsLinux()) umask(Convert.ToUInt32("077", 8));
    }

    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Takes group and other permissions off everything under <paramref name="root"/>, once: a
    /// marker file in <paramref name="stateDirectory"/> records that the root has been done.
    /// </summary>
    public static void Tighten(string root, string stateDirectory)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(root)) return;
        var marker = Path.Combine(stateDirectory, ".private-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(root))))[..16]);
        if (File.Exists(marker)) return;
        Restrict(root);
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }))
            Restrict(entry.FullName);
        Directory.CreateDirectory(stateDirectory);
        File.WriteAllText(marker, "group and other permissions removed under " + root + "\n");
    }

    /// <summary>Removes group and other permissions; the owner's stay (a folder keeps its x, a file gets none).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void Restrict(string path)
    {
        try
        {
            var current = File.GetUnixFileMode(path);
            if ((current & Others) != 0) File.SetUnixFileMode(path, current & ~Others);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that vanished meanwhile, or one not ours: nothing to tighten.
        }
    }
}
