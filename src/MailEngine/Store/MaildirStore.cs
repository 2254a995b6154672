using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using MailEngine.Storage;

namespace MailEngine.Store;

/// <summary>
/// The Maildir++ store as Dovecot reads it: &lt;root&gt;/&lt;domain&gt;/&lt;local&gt;/Maildir/{tmp,new,cur} and
/// ".Folder" subfolders. A delivery writes into tmp/, fsyncs, renames into new/ and fsyncs new/
/// (the Maildir protocol, made durable). File names carry ",S=&lt;size&gt;" as Dovecot writes them, so
/// quota usage is summed from names without opening files.
/// </summary>
public sealed class MaildirStore
{
    private static long _counter;
    private readonly string _root;
    private readonly string _hostName;
    private readonly ConcurrentDictionary<string, long> _usage = new(StringComparer.Ordinal);

    public MaildirStore(string root, string hostName)
    {
        _root = Path.GetFullPath(root);
        // Maildir names use the host name; '/' and ':' would break them (Maildir spec: replace with \057 and \072).
        _hostName = hostName.Replace("/", "\\057", StringComparison.Ordinal).Replace(":", "\\072", StringComparison.Ordinal);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    /// <summary>The Maildir of a normalized address. The local part may hold '/' (it is atext), so unsafe characters are %-escaped.</summary>
    public string MaildirPath(string address)
    {
        var at = address.LastIndexOf('@');
        return Path.Combine(_root, SafeName(address[(at + 1)..]), SafeName(address[..at]), "Maildir");
    }

    /// <summary>The IMAP hierarchy separator; on disk Maildir++ joins levels with '.' (Dovecot's LAYOUT=maildir++ with separator '/').</summary>
    public const char HierarchySeparator = '/';

    /// <summary>
    /// The folder's directory: "INBOX" is the Maildir itself, "A/B" is ".A.B" (Maildir++). A '.' or
    /// '%' inside a level is written %2E / %25 so names map back unchanged (<see cref="FolderName"/>).
    /// </summary>
    public string FolderPath(string address, string folder)
    {
        if (folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase)) return MaildirPath(address);
        // "" or "A//B" would map to "." or ".A..B": "" was a second name for INBOX's own directory.
        if (!IsFolderName(folder)) throw new ArgumentException($"'{folder}' is not a folder name", nameof(folder));
        return Path.Combine(MaildirPath(address), FolderDirectoryName(folder));
    }

    /// <summary>A folder name maps to a directory of its own: not empty, no empty hierarchy level, no control characters.</summary>
    public static bool IsFolderName(string folder)
    {
        if (folder.Length == 0) return false;
        foreach (var level in folder.Split(HierarchySeparator))
        {
            if (level.Length == 0) return false;
            foreach (var c in level)
                if (c < 0x20 || c == 0x7f) return false;
        }

        return true;
    }

    public static string FolderDirectoryName(string folder)
    {
        var builder = new StringBuilder(folder.Length + 1);
        foreach (var level in folder.Split(HierarchySeparator))
        {
            builder.Append('.');
            foreach (var c in level)
            {
                if (c is '.' or '%' or '\0' or '/') builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                else builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>The IMAP name of a Maildir++ directory name (".A.B%2Ec" is "A/B.c"), or null if it is not a folder's.</summary>
    public static string? FolderName(string directoryName)
    {
        if (directoryName.Length < 2 || directoryName[0] != '.' || directoryName == "..") return null;
        var builder = new StringBuilder(directoryName.Length);
        for (var i = 1; i < directoryName.Length; i++)
        {
            var c = directoryName[i];
            if (c == '.') builder.Append(HierarchySeparator);
            else if (c == '%' && i + 2 < directoryName.Length && int.TryParse(directoryName.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                builder.Append((char)code);
                i += 2;
            }
            else builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>Raised after a delivery with the folder's directory, so open IMAP sessions see the message at once.</summary>
    public event Action<string>? Delivered;

    /// <summary>Tells the quota bookkeeping that IMAP added or removed bytes (APPEND, COPY, EXPUNGE).</summary>
    public void AdjustUsage(string address, long delta)
    {
        if (_usage.ContainsKey(address)) _usage.AddOrUpdate(address, _ => ScanUsage(address), (_, used) => Math.Max(0, used + delta));
    }

    public static void EnsureFolder(string folderPath)
    {
        foreach (var sub in new[] { "tmp", "new", "cur" }) Directory.CreateDirectory(Path.Combine(folderPath, sub));
    }

    /// <summary>
    /// Delivers <paramref name="prefix"/> followed by <paramref name="message"/> into a folder, durably.
    /// Returns the size written. The caller holds no lock: Maildir needs none, names are unique.
    /// </summary>
    public long Deliver(string address, string folder, ReadOnlySpan<byte> prefix, Stream message, string info = "")
    {
        var folderPath = FolderPath(address, folder);
        EnsureFolder(folderPath);
        var unique = NewUniqueName();
        var temporary = Path.Combine(folderPath, "tmp", unique);
        long size;
        using (var output = DurableFile.OpenPrivate(temporary))
        {
            output.Write(prefix);
            message.CopyTo(output);
            output.Flush(flushToDisk: true);
            size = output.Length;
        }

        // With flags (Sieve imap4flags) the message goes straight to cur/ with its info part, as Dovecot's LDA does.
        var final = info.Length == 0
            ? Path.Combine(folderPath, "new", $"{unique},S={size.ToString(CultureInfo.InvariantCulture)}")
            : Path.Combine(folderPath, "cur", $"{unique},S={size.ToString(CultureInfo.InvariantCulture)}{info}");
        DurableFile.MoveDurably(temporary, final, syncSource: false); // readers never look in tmp/
        _usage.AddOrUpdate(address, _ => ScanUsage(address), (_, used) => used + size);
        Delivered?.Invoke(folderPath);
        return size;
    }

    /// <summary>Whether the folder exists (INBOX always does once anything was delivered).</summary>
    public bool FolderExists(string address, string folder) =>
        (folder.Equals("INBOX", StringComparison.OrdinalIgnoreCase) || IsFolderName(folder)) && Directory.Exists(Path.Combine(FolderPath(address, folder), "cur"));

    /// <summary>Bytes stored for the address across all folders (cached after the first scan).</summary>
    public long Usage(string address) => _usage.GetOrAdd(address, ScanUsage);

    private long ScanUsage(string address)
    {
        var maildir = MaildirPath(address);
        if (!Directory.Exists(maildir)) return 0;
        long total = 0;
        foreach (var folder in Directory.EnumerateDirectories(maildir, ".*").Append(maildir))
        {
            foreach (var sub in new[] { "cur", "new" })
            {
                var dir = Path.Combine(folder, sub);
                if (!Directory.Exists(dir)) continue;
                foreach (var file in new DirectoryInfo(dir).EnumerateFiles()) total += SizeFromName(file.Name) ?? file.Length;
            }
        }

        return total;
    }

    /// <summary>Reads ",S=&lt;size&gt;" from a Maildir file name (Dovecot's convention), or null.</summary>
    public static long? SizeFromName(string name)
    {
        var s = name.IndexOf(",S=", StringComparison.Ordinal);
        if (s < 0) return null;
        var end = s + 3;
        while (end < name.Length && char.IsAsciiDigit(name[end])) end++;
        return long.TryParse(name.AsSpan(s + 3, end - s - 3), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : null;
    }

    /// <summary>A unique Maildir base name (time.MusecPpidQcount.host).</summary>
    public string NewUniqueName()
    {
        // Maildir: time.MusecPpidQcount.host (as Dovecot and qmail name deliveries).
        var now = DateTimeOffset.UtcNow;
        var seconds = now.ToUnixTimeSeconds();
        var micro = (now.Ticks / 10) % 1_000_000;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.M{micro}P{Environment.ProcessId}Q{Interlocked.Increment(ref _counter)}.{_hostName}");
    }

    private static string SafeName(string name)
    {
        if (name.Length > 0 && name[0] != '.' && !name.Contains('/', StringComparison.Ordinal) && !name.Contains('%', StringComparison.Ordinal) && !name.Contains('\0', StringComparison.Ordinal))
            return name;
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '/' or '%' or '\0' || (i == 0 && c == '.')) builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else builder.Append(c);
        }

        return builder.ToString();
    }
}
