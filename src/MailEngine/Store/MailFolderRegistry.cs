using System.Collections.Concurrent;

namespace MailEngine.Store;

/// <summary>
/// The open folders of this process, one <see cref="MailFolder"/> per directory, shared by every
/// session that selects it so they see each other's changes at once. A folder nobody holds stays
/// in memory for a while (up to <see cref="IdleFolders"/> of them) so that clients reconnecting
/// often do not reload its index each time; its index is written when the last session lets go.
/// Deliveries by this process wake the sessions holding the folder.
/// </summary>
public sealed class MailFolderRegistry
{
    public const int IdleFolders = 256;
    private readonly MaildirStore _store;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, Entry> _open = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _idle = new();
    private readonly Lock _gate = new();
    private readonly Lock[] _accountGates = Enumerable.Range(0, 64).Select(_ => new Lock()).ToArray();

    /// <summary>
    /// A folder is opened once: the first session to want it opens it (reads the index, moves new/
    /// to cur/) while the others wait for that same open. Two sessions opening it side by side each
    /// moved part of new/ and one of them was left without the messages the other had moved.
    /// </summary>
    private sealed class Entry(Lazy<MailFolder> folder)
    {
        public Lazy<MailFolder> Opening { get; } = folder;
        public MailFolder Folder => Opening.Value;
        public bool IsOpen => Opening.IsValueCreated;
        public int References;
        public LinkedListNode<string>? IdleNode;
    }

    public MailFolderRegistry(MaildirStore store, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        store.Delivered += path =>
        {
            MailFolder? folder;
            var key = Path.GetFullPath(path);
            lock (_gate) folder = _open.TryGetValue(key, out var entry) && entry.IsOpen ? entry.Folder : null;
            folder?.NotifyExternalChange();
        };
    }

    /// <summary>Opens (or shares) a folder of a mailbox; release it with <see cref="Release"/>.</summary>
    public MailFolder Acquire(string address, string name)
    {
        // Keyed by the full, normalised path: two names can never share a directory with two states.
        var path = Path.GetFullPath(_store.FolderPath(address, name));
        Entry? entry;
        bool shared;
        lock (_gate)
        {
            entry = TakeLocked(path);
            shared = entry is not null;
            if (entry is null)
            {
                // Opening reads the index and lists the folder: done outside the registry's lock.
                entry = new Entry(new Lazy<MailFolder>(() => MailFolder.Open(_store, path, name, _clock, delta => _store.AdjustUsage(address, delta)), LazyThreadSafetyMode.ExecutionAndPublication)) { References = 1 };
                _open[path] = entry;
            }
        }

        MailFolder folder;
        try
        {
            folder = entry.Folder;
        }
        catch
        {
            // A folder that could not be opened is not kept: the next session tries again.
            lock (_gate)
            {
                entry.References--;
                if (_open.TryGetValue(path, out var registered) && registered == entry) _open.Remove(path);
            }

            throw;
        }

        if (shared) folder.Sync();
        return folder;
    }

    /// <summary>The lock a mailbox's account-wide files (its subscriptions) are changed under; striped, so it needs no clean-up.</summary>
    public Lock AccountGate(string address) => _accountGates[(StringComparer.OrdinalIgnoreCase.GetHashCode(address) & int.MaxValue) % _accountGates.Length];

    /// <summary>One more reference to an open (or opening) folder, no longer idle; null when it is not open.</summary>
    private Entry? TakeLocked(string path)
    {
        if (!_open.TryGetValue(path, out var entry)) return null;
        entry.References++;
        if (entry.IdleNode is not null)
        {
            _idle.Remove(entry.IdleNode);
            entry.IdleNode = null;
        }

        return entry;
    }

    public void Release(MailFolder folder)
    {
        var evicted = new List<MailFolder>();
        lock (_gate)
        {
            if (!_open.TryGetValue(folder.Path, out var entry) || !entry.IsOpen || entry.Folder != folder) return;
            if (--entry.References > 0) return;
            entry.IdleNode = _idle.AddLast(folder.Path);
            while (_idle.Count > IdleFolders)
            {
                var oldest = _idle.First!.Value;
                _idle.RemoveFirst();
                if (_open.Remove(oldest, out var gone) && gone.IsOpen) evicted.Add(gone.Folder);
            }
        }

        folder.SaveIndex();
        foreach (var gone in evicted) gone.SaveIndex();
    }

    /// <summary>Forgets a folder that was deleted or renamed (its sessions, if any, keep their copy until they leave).</summary>
    public void Forget(string path)
    {
        path = Path.GetFullPath(path);
        lock (_gate)
        {
            foreach (var key in _open.Keys.Where(k => k == path || k.StartsWith(path + ".", StringComparison.Ordinal)).ToList())
            {
                if (_open.Remove(key, out var entry) && entry.IdleNode is not null) _idle.Remove(entry.IdleNode);
            }
        }
    }

    /// <summary>Writes every open folder's index (at shutdown).</summary>
    public void SaveAll()
    {
        List<MailFolder> folders;
        lock (_gate) folders = _open.Values.Where(e => e.IsOpen).Select(e => e.Folder).ToList();
        foreach (var folder in folders) folder.SaveIndex();
    }

    public MaildirStore Store => _store;
}
