using System.Text;
using MailEngine.Imap.Protocol;
using MailEngine.Storage;

namespace MailEngine.Store;

/// <summary>A folder as LIST shows it: its name, special use (RFC 6154) and whether it has children.</summary>
public sealed record FolderInfo(string Name, string? SpecialUse, bool HasChildren, bool Subscribed);

/// <summary>
/// The folders of one mailbox (RFC 3501 6.3: CREATE, DELETE, RENAME, SUBSCRIBE, LIST): Maildir++
/// directories under its Maildir, names with '/' between levels, and the special-use folders every
/// mailbox has (Drafts, Sent, Trash, Junk, Archive), made at first login. Subscriptions are kept in
/// the Maildir's "subscriptions" file, one name per line, as Dovecot keeps them.
/// </summary>
public sealed class MailAccount(MailFolderRegistry registry, string address)
{
    /// <summary>The special-use folders (RFC 6154) and their attributes, in the order LIST shows them.</summary>
    public static readonly (string Name, string Use)[] SpecialUse =
    [
        ("Drafts", "\\Drafts"), ("Sent", "\\Sent"), ("Trash", "\\Trash"), ("Junk", "\\Junk"), ("Archive", "\\Archive"),
    ];

    public const int MaxNameLength = 200;
    public const int MaxLevels = 16;

    private MaildirStore Store => registry.Store;
    public string Address => address;
    public string Root => Store.MaildirPath(address);
    private string SubscriptionsPath => Path.Combine(Root, "subscriptions");

    /// <summary>Creates INBOX and the special-use folders if they are missing, subscribed.</summary>
    public void EnsureDefaults()
    {
        MaildirStore.EnsureFolder(Root);
        UpdateSubscriptions(subscriptions =>
        {
            var changed = false;
            foreach (var (name, _) in SpecialUse)
            {
                var path = Store.FolderPath(address, name);
                if (Directory.Exists(Path.Combine(path, "cur"))) continue;
                MaildirStore.EnsureFolder(path);
                changed |= subscriptions.Add(name);
            }

            return changed;
        });
    }

    /// <summary>
    /// The canonical name: "INBOX" in any case is INBOX (RFC 3501 5.1). Every command that names a
    /// folder goes through here, so a name that maps to no directory of its own ("" was a second
    /// name for INBOX, with a second folder state and duplicate UIDs) is refused in all of them.
    /// </summary>
    public static string Canonical(string name)
    {
        var canonical = name.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" :
            name.StartsWith("INBOX/", StringComparison.OrdinalIgnoreCase) ? "INBOX" + name[5..] : name;
        if (canonical != "INBOX" && !MaildirStore.IsFolderName(canonical.TrimEnd(MaildirStore.HierarchySeparator)))
            throw ImapCommandException.Refused("Invalid folder name", "CANNOT");
        return canonical;
    }

    public bool Exists(string name) => Directory.Exists(Path.Combine(Store.FolderPath(address, Canonical(name)), "cur"));

    public static string? SpecialUseOf(string name) => SpecialUse.FirstOrDefault(s => s.Name == name).Use;

    public List<FolderInfo> Folders()
    {
        var names = new List<string> { "INBOX" };
        if (Directory.Exists(Root))
        {
            foreach (var directory in Directory.EnumerateDirectories(Root, ".*"))
            {
                var name = MaildirStore.FolderName(Path.GetFileName(directory));
                if (name is not null && Directory.Exists(Path.Combine(directory, "cur"))) names.Add(name);
            }
        }

        var subscriptions = ReadSubscriptions();
        names.Sort((a, b) => a == "INBOX" ? -1 : b == "INBOX" ? 1 : string.CompareOrdinal(a, b));
        return names.Select(n => new FolderInfo(n, SpecialUseOf(n), names.Any(c => c.StartsWith(n + MaildirStore.HierarchySeparator, StringComparison.Ordinal)), n == "INBOX" || subscriptions.Contains(n))).ToList();
    }

    /// <summary>Checks a name a client wants to create or rename to.</summary>
    public static void Validate(string name)
    {
        if (name.Length == 0 || name.Length > MaxNameLength) throw ImapCommandException.Refused("Invalid folder name length", "CANNOT");
        var levels = name.Split(MaildirStore.HierarchySeparator);
        if (levels.Length > MaxLevels) throw ImapCommandException.Refused("Too many hierarchy levels", "LIMIT");
        foreach (var level in levels)
        {
            if (level.Length == 0) throw ImapCommandException.Refused("Empty hierarchy level in folder name", "CANNOT");
            foreach (var c in level)
                if (c < 0x20 || c is '*' or '%' or '\u007f') throw ImapCommandException.Refused("Invalid character in folder name", "CANNOT");
        }
    }

    public void Create(string name)
    {
        name = Canonical(name.TrimEnd(MaildirStore.HierarchySeparator));
        if (name == "INBOX" || Exists(name)) throw ImapCommandException.Refused("Folder already exists", "ALREADYEXISTS");
        Validate(name);
        // RFC 3501 6.3.3: superior levels are created too.
        var levels = name.Split(MaildirStore.HierarchySeparator);
        for (var i = 1; i <= levels.Length; i++) MaildirStore.EnsureFolder(Store.FolderPath(address, string.Join(MaildirStore.HierarchySeparator, levels[..i])));
    }

    public void Delete(string name)
    {
        name = Canonical(name);
        if (name == "INBOX") throw ImapCommandException.Refused("INBOX cannot be deleted", "CANNOT");
        if (!Exists(name)) throw ImapCommandException.Refused("No such folder", "NONEXISTENT");
        if (Folders().Any(f => f.Name.StartsWith(name + MaildirStore.HierarchySeparator, StringComparison.Ordinal)))
            throw ImapCommandException.Refused("Folder has children; delete them first", "INUSE");
        var path = Store.FolderPath(address, name);
        var freed = Directory.EnumerateFiles(Path.Combine(path, "cur")).Concat(Directory.EnumerateFiles(Path.Combine(path, "new")))
            .Sum(f => MaildirStore.SizeFromName(Path.GetFileName(f)) ?? new FileInfo(f).Length);
        // Renamed away first, then removed: a crash leaves a hidden directory, never half a folder.
        var doomed = Path.Combine(Root, "..deleted-" + Guid.NewGuid().ToString("N"));
        Directory.Move(path, doomed);
        registry.Forget(path);
        Directory.Delete(doomed, recursive: true);
        Store.AdjustUsage(address, -freed);
        UpdateSubscriptions(subscriptions => subscriptions.Remove(name));
    }

    public void Rename(string from, string to)
    {
        from = Canonical(from);
        to = Canonical(to.TrimEnd(MaildirStore.HierarchySeparator));
        if (!Exists(from)) throw ImapCommandException.Refused("No such folder", "NONEXISTENT");
        if (to == "INBOX" || Exists(to)) throw ImapCommandException.Refused("Target folder exists", "ALREADYEXISTS");
        Validate(to);
        var levels = to.Split(MaildirStore.HierarchySeparator);
        for (var i = 1; i < levels.Length; i++) MaildirStore.EnsureFolder(Store.FolderPath(address, string.Join(MaildirStore.HierarchySeparator, levels[..i])));
        if (from == "INBOX")
        {
            // RFC 3501 6.3.5: renaming INBOX moves its messages to the new folder; INBOX stays, empty.
            var inbox = registry.Acquire(address, "INBOX");
            var target = registry.Acquire(address, to);
            try
            {
                target.TakeFrom(inbox, inbox.Messages(), move: true);
            }
            finally
            {
                registry.Release(target);
                registry.Release(inbox);
            }

            return;
        }

        var children = Folders().Where(f => f.Name.StartsWith(from + MaildirStore.HierarchySeparator, StringComparison.Ordinal)).Select(f => f.Name).ToList();
        foreach (var name in children.Prepend(from))
        {
            var source = Store.FolderPath(address, name);
            registry.Forget(source);
            Directory.Move(source, Store.FolderPath(address, to + name[from.Length..]));
        }

        UpdateSubscriptions(subscriptions =>
        {
            var moved = children.Prepend(from).Where(subscriptions.Contains).ToList();
            foreach (var name in moved)
            {
                subscriptions.Remove(name);
                subscriptions.Add(to + name[from.Length..]);
            }

            return moved.Count > 0;
        });
    }

    public void Subscribe(string name, bool subscribe)
    {
        name = Canonical(name);
        UpdateSubscriptions(subscriptions => subscribe ? subscriptions.Add(name) : subscriptions.Remove(name));
    }

    public HashSet<string> ReadSubscriptions()
    {
        try
        {
            return File.ReadAllLines(SubscriptionsPath).Where(l => l.Length > 0 && !l.StartsWith("V\t", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Reads, changes and (when <paramref name="change"/> says it changed) rewrites the subscriptions
    /// under the account's gate: two sessions of one user logging in at once (a client opening
    /// several connections) each read-modify-wrote the file, and with one fixed temporary name one
    /// session's rename could take the other's file away ("Could not find file …/subscriptions").
    /// </summary>
    private void UpdateSubscriptions(Func<HashSet<string>, bool> change)
    {
        lock (registry.AccountGate(address))
        {
            var subscriptions = ReadSubscriptions();
            if (!change(subscriptions)) return;
            Directory.CreateDirectory(Root);
            DurableFile.WriteAllBytes(SubscriptionsPath, Encoding.UTF8.GetBytes(string.Concat(subscriptions.Order(StringComparer.Ordinal).Select(n => n + "\n"))));
        }
    }
}
