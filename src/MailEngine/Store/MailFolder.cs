using System.Globalization;
using System.Text;
using MailEngine.Imap.Fetch;
using MailEngine.Imap.Protocol;
using MailEngine.Storage;

namespace MailEngine.Store;

/// <summary>How STORE changes flags (RFC 3501 6.4.6).</summary>
public enum FlagChange
{
    Replace,
    Add,
    Remove,
}

/// <summary>
/// One Maildir++ folder as IMAP sees it, shared by every session that has it selected (see
/// <see cref="MailFolderRegistry"/>). The Maildir stays the source of truth, readable by Dovecot:
/// <list type="bullet">
/// <item>a message first seen in new/ gets the next UID and moves to cur/ as
///   "&lt;base&gt;,U=&lt;uid&gt;:2,&lt;flags&gt;"; the UID is then part of its name for good;</item>
/// <item>flags are the Maildir info letters (D F P R S T), keywords the letters a..z numbered by the
///   folder's "dovecot-keywords" file, as Dovecot does;</item>
/// <item>UIDVALIDITY and UIDNEXT are kept in "imap-uids", written durably before a UID is used, so
///   UIDs only ever grow, even across a lost index;</item>
/// <item>"imap.index" (<see cref="FolderIndexFile"/>) caches sizes, dates, envelopes and body
///   structures; losing it costs a rebuild, never a UID or a flag.</item>
/// </list>
/// Changes made by other processes (a delivery, another server) are found by listing new/ and, when
/// cur/'s modification time moved, cur/. Every change bumps <see cref="HighestModSeq"/> and raises
/// <see cref="Changed"/>, which wakes IDLE sessions.
/// </summary>
public sealed class MailFolder
{
    private const string UidFile = "imap-uids";
    private const string IndexFile = "imap.index";
    private const string KeywordFile = "dovecot-keywords";

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly Action<long> _usageChanged;
    private readonly MaildirStore _store;
    private List<MessageRecord> _messages = [];

    // The list as an array, shared by every caller until the list changes (flags change records in
    // place and keep it valid): a 10,000-message folder is not copied for every command of every session.
    private MessageRecord[]? _snapshot;
    private Dictionary<string, MessageRecord> _byBase = new(StringComparer.Ordinal);
    private List<string> _keywords = [];
    private DateTime _curModified;
    private bool _dirty;
    private uint _recentBoundary;

    private MailFolder(MaildirStore store, string path, string name, TimeProvider clock, Action<long> usageChanged)
    {
        _store = store;
        Path = path;
        Name = name;
        _clock = clock;
        _usageChanged = usageChanged;
    }

    public string Path { get; }
    public string Name { get; }
    public uint UidValidity { get; private set; }
    public uint UidNext { get; private set; }
    public ulong HighestModSeq { get; private set; } = 1;

    /// <summary>Raised (outside the folder's lock) after messages were added, removed or changed.</summary>
    public event Action? Changed;

    private string CurPath => System.IO.Path.Combine(Path, "cur");
    private string NewPath => System.IO.Path.Combine(Path, "new");
    private string TmpPath => System.IO.Path.Combine(Path, "tmp");

    /// <summary>Opens a folder: its index if it is sound, else a rebuild from the Maildir; then a full sync.</summary>
    public static MailFolder Open(MaildirStore store, string path, string name, TimeProvider clock, Action<long> usageChanged)
    {
        MaildirStore.EnsureFolder(path);
        var folder = new MailFolder(store, path, name, clock, usageChanged);
        folder.Load();
        return folder;
    }

    private void Load()
    {
        var (validity, next) = ReadUidFile();
        var index = FolderIndexFile.TryRead(System.IO.Path.Combine(Path, IndexFile));
        if (index is not null && index.UidValidity == validity && validity != 0)
        {
            _messages = index.Records;
            _keywords = index.Keywords;
            HighestModSeq = Math.Max(index.HighestModSeq, 1);
            next = Math.Max(next, index.UidNext);
        }
        else
        {
            _keywords = ReadKeywordFile();
            // MODSEQ must never go back (RFC 7162 3.1.1) though the index that held it is gone: restart
            // the counter from the clock (milliseconds x 1000), above any value the old counter reached.
            HighestModSeq = (ulong)Math.Max(1, _clock.GetUtcNow().ToUnixTimeMilliseconds()) * 1000;
        }

        if (validity == 0)
        {
            // A new folder (or one whose UID state was lost: clients must then drop their caches, RFC 3501 2.3.1.1).
            validity = (uint)Math.Max(1, _clock.GetUtcNow().ToUnixTimeSeconds());
            next = 1;
        }

        UidValidity = validity;
        UidNext = Math.Max(next, 1);
        foreach (var record in _messages) _byBase[record.BaseName] = record;
        _recentBoundary = UidNext;
        lock (_gate) SyncLocked(full: true);
        if (index is null) _dirty = true;
        WriteUidFile();
    }

    /// <summary>Brings the folder up to date with the disk; returns whether anything changed.</summary>
    public bool Sync()
    {
        bool changed;
        lock (_gate) changed = SyncLocked(full: false);
        if (changed) Changed?.Invoke();
        return changed;
    }

    /// <summary>Called when this process delivered into the folder: wakes the sessions, which then sync.</summary>
    public void NotifyExternalChange() => Changed?.Invoke();

    private bool SyncLocked(bool full)
    {
        var changed = false;
        var modified = Directory.GetLastWriteTimeUtc(CurPath);
        if (full || modified != _curModified)
        {
            changed |= RescanCur();
            // The time read before the listing: a change made while it was listed is seen next time.
            _curModified = modified;
        }

        // New deliveries: each gets the next UID and moves to cur/ under its final name, in arrival
        // order (the time in the name; "M" microseconds are not zero-padded, so not by name alone).
        var fresh = Directory.GetFiles(NewPath);
        if (fresh.Length > 0)
        {
            var ordered = fresh.Select(path => (Path: path, Name: System.IO.Path.GetFileName(path), Time: MaildirNames.DeliveryTime(System.IO.Path.GetFileName(path))))
                .Select(f => (f.Path, f.Name, Time: f.Time ?? StatTime(f.Path)))
                .OrderBy(f => f.Time.Seconds).ThenBy(f => f.Time.Microseconds).ThenBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
            var first = AllocateUids(ordered.Count);
            var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
            for (var i = 0; i < ordered.Count; i++)
            {
                var (path, fileName, time) = ordered[i];
                var uid = first + (uint)i;
                var (flags, keywords, passed) = MessageFlagNames.FromMaildirName(fileName);
                var baseName = MaildirNames.WithoutUid(MaildirNames.BaseName(fileName)) + ",U=" + uid.ToString(CultureInfo.InvariantCulture);
                var name = baseName + MessageFlagNames.MaildirInfo(flags, keywords, passed);
                try
                {
                    DurableFile.Rename(path, System.IO.Path.Combine(CurPath, name));
                }
                catch (FileNotFoundException)
                {
                    continue; // taken by another process meanwhile: its UID is simply not used
                }

                var record = new MessageRecord
                {
                    Uid = uid, FileName = name, Flags = flags, Keywords = keywords, Passed = passed,
                    Size = MaildirStore.SizeFromName(fileName) ?? new FileInfo(System.IO.Path.Combine(CurPath, name)).Length,
                    InternalDate = time.Seconds * 1000 + time.Microseconds / 1000, SavedAt = now, ModSeq = ++HighestModSeq,
                };
                _messages.Add(record);
                _byBase[baseName] = record;
            }

            _snapshot = null;
            DurableFile.SyncDirectory(CurPath);
            DurableFile.SyncDirectory(NewPath);
            _curModified = Directory.GetLastWriteTimeUtc(CurPath);
            changed = true;
        }

        if (changed) _dirty = true;
        return changed;
    }

    private static (long Seconds, long Microseconds) StatTime(string path)
    {
        var ticks = File.GetLastWriteTimeUtc(path).Ticks - DateTime.UnixEpoch.Ticks;
        return (ticks / TimeSpan.TicksPerSecond, ticks % TimeSpan.TicksPerSecond / 10);
    }

    /// <summary>Compares cur/ with the index: files gone are expunged, new files get UIDs, renamed ones give their flags.</summary>
    private bool RescanCur()
    {
        var changed = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var adopt = new List<FileInfo>();
        foreach (var file in new DirectoryInfo(CurPath).EnumerateFiles())
        {
            var baseName = MaildirNames.BaseName(file.Name);
            if (_byBase.TryGetValue(baseName, out var record))
            {
                seen.Add(baseName);
                if (record.FileName != file.Name)
                {
                    (record.Flags, record.Keywords, record.Passed) = MessageFlagNames.FromMaildirName(file.Name);
                    record.FileName = file.Name;
                    record.ModSeq = ++HighestModSeq;
                    changed = true;
                }
            }
            else
            {
                adopt.Add(file);
            }
        }

        if (seen.Count != _messages.Count)
        {
            _messages.RemoveAll(r => !seen.Contains(r.BaseName));
            _snapshot = null;
            HighestModSeq++; // an expunge by another program is a change sessions must hear of
            foreach (var key in _byBase.Keys.Where(k => !seen.Contains(k)).ToList()) _byBase.Remove(key);
            changed = true;
        }

        if (adopt.Count == 0) return changed;

        // Files with a UID in their name keep it when it is still free (an index rebuilt after loss);
        // others (written by another program) get new ones.
        var used = new HashSet<uint>(_messages.Select(m => m.Uid));
        var keep = new List<(FileInfo File, uint Uid)>();
        var renumber = new List<FileInfo>();
        foreach (var file in adopt.OrderBy(f => MaildirNames.UidFromName(f.Name)).ThenBy(f => f.Name, StringComparer.Ordinal))
        {
            var uid = MaildirNames.UidFromName(file.Name);
            if (uid != 0 && used.Add(uid)) keep.Add((file, uid));
            else renumber.Add(file);
        }

        var highest = keep.Count > 0 ? keep.Max(k => k.Uid) : 0;
        if (highest >= UidNext) UidNext = highest + 1;
        var first = renumber.Count > 0 ? AllocateUids(renumber.Count) : 0;
        var ordered = keep.Concat(renumber.Select((f, i) => (File: f, Uid: first + (uint)i))).ToList();
        foreach (var (file, uid) in ordered)
        {
            var name = file.Name;
            if (MaildirNames.UidFromName(name) != uid)
            {
                var (flags0, keywords0, passed0) = MessageFlagNames.FromMaildirName(name);
                var newName = MaildirNames.WithoutUid(MaildirNames.BaseName(name)) + ",U=" + uid.ToString(CultureInfo.InvariantCulture) + MessageFlagNames.MaildirInfo(flags0, keywords0, passed0);
                try
                {
                    DurableFile.Rename(file.FullName, System.IO.Path.Combine(CurPath, newName));
                }
                catch (FileNotFoundException)
                {
                    continue;
                }

                name = newName;
            }

            var (flags, keywords, passed) = MessageFlagNames.FromMaildirName(name);
            var record = new MessageRecord
            {
                Uid = uid, FileName = name, Flags = flags, Keywords = keywords, Passed = passed,
                Size = MaildirStore.SizeFromName(name) ?? file.Length,
                InternalDate = new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeMilliseconds(),
                SavedAt = new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeMilliseconds(), ModSeq = ++HighestModSeq,
            };
            _messages.Add(record);
            _byBase[record.BaseName] = record;
        }

        _messages.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        _snapshot = null;
        if (UidNext <= _messages[^1].Uid) UidNext = _messages[^1].Uid + 1;
        WriteUidFile();
        return true;
    }

    /// <summary>Reserves <paramref name="count"/> UIDs; the new UIDNEXT is on disk before any of them is used.</summary>
    private uint AllocateUids(int count)
    {
        var first = UidNext;
        UidNext += (uint)count;
        WriteUidFile();
        return first;
    }

    private (uint Validity, uint Next) ReadUidFile()
    {
        try
        {
            var parts = File.ReadAllText(System.IO.Path.Combine(Path, UidFile)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length >= 3 && parts[0] == "1" && parts[1].StartsWith('V') && parts[2].StartsWith('N') &&
                uint.TryParse(parts[1][1..], NumberStyles.None, CultureInfo.InvariantCulture, out var v) &&
                uint.TryParse(parts[2][1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                return (v, n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return (0, 0);
    }

    private void WriteUidFile() =>
        DurableFile.WriteAllBytes(System.IO.Path.Combine(Path, UidFile), Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"1 V{UidValidity} N{UidNext}\n")));

    private List<string> ReadKeywordFile()
    {
        var keywords = new List<string>();
        try
        {
            foreach (var line in File.ReadAllLines(System.IO.Path.Combine(Path, KeywordFile)))
            {
                var space = line.IndexOf(' ');
                if (space > 0 && int.TryParse(line[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < 26)
                {
                    while (keywords.Count <= n) keywords.Add(string.Empty);
                    keywords[n] = line[(space + 1)..];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return keywords;
    }

    /// <summary>The messages now, in UID order; the caller may hold the array while the folder changes, and must not change it.</summary>
    public MessageRecord[] Messages()
    {
        lock (_gate) return _snapshot ??= [.. _messages];
    }

    /// <summary>The record with that UID in a <see cref="Messages"/> array (sorted by UID), or null.</summary>
    public static MessageRecord? Find(MessageRecord[] messages, uint uid)
    {
        var lo = 0;
        var hi = messages.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var u = messages[mid].Uid;
            if (u == uid) return messages[mid];
            if (u < uid) lo = mid + 1;
            else hi = mid - 1;
        }

        return null;
    }

    public IReadOnlyList<string> Keywords()
    {
        lock (_gate) return [.. _keywords];
    }

    /// <summary>
    /// \Recent (RFC 3501 2.3.2): the first session to see a message is told it is recent. Returns
    /// the lowest UID that is recent for the caller; later callers get a higher boundary.
    /// </summary>
    public uint ClaimRecent(bool readOnly)
    {
        lock (_gate)
        {
            var boundary = _recentBoundary;
            if (!readOnly) _recentBoundary = UidNext;
            return boundary;
        }
    }

    /// <summary>The bit of a keyword, adding it to the folder's list when asked and there is room (26, Maildir's letters).</summary>
    private int KeywordBitLocked(string keyword, bool create)
    {
        var index = _keywords.FindIndex(k => k.Equals(keyword, StringComparison.OrdinalIgnoreCase));
        if (index >= 0 || !create) return index;
        if (_keywords.Count >= 26) return -1;
        _keywords.Add(keyword);
        File.WriteAllLines(System.IO.Path.Combine(Path, KeywordFile), _keywords.Select((k, i) => string.Create(CultureInfo.InvariantCulture, $"{i} {k}")));
        return _keywords.Count - 1;
    }

    /// <summary>The lowest UID no session has yet been told is \Recent.</summary>
    public uint RecentBoundary
    {
        get { lock (_gate) return _recentBoundary; }
    }

    /// <summary>Whether new keywords can still be made (PERMANENTFLAGS shows \* only then).</summary>
    public bool CanCreateKeywords
    {
        get { lock (_gate) return _keywords.Count < 26; }
    }

    /// <summary>Maps keyword names to a bitmask, creating them when asked; unknown ones that cannot be created throw NO.</summary>
    public uint KeywordMask(IEnumerable<string> keywords, bool create)
    {
        uint mask = 0;
        lock (_gate)
        {
            foreach (var keyword in keywords)
            {
                var bit = KeywordBitLocked(keyword, create);
                if (bit < 0)
                {
                    if (create) throw ImapCommandException.Refused("Too many keywords in this folder (26 at most)", "LIMIT");
                    continue;
                }

                mask |= 1u << bit;
            }
        }

        return mask;
    }

    /// <summary>Changes the flags of the given messages; returns those that changed (with their new state).</summary>
    public List<MessageRecord> Store(IReadOnlyCollection<uint> uids, FlagChange change, MessageFlags flags, uint keywords, bool passed, ulong? unchangedSince, List<uint> failedModified)
    {
        var changed = new List<MessageRecord>();
        lock (_gate)
        {
            foreach (var uid in uids)
            {
                var record = FindLocked(uid);
                if (record is null) continue;
                if (unchangedSince is { } since && record.ModSeq > since)
                {
                    failedModified.Add(uid);
                    continue;
                }

                var (newFlags, newKeywords, newPassed) = change switch
                {
                    FlagChange.Add => (record.Flags | flags, record.Keywords | keywords, record.Passed || passed),
                    FlagChange.Remove => (record.Flags & ~flags, record.Keywords & ~keywords, record.Passed && !passed),
                    _ => (flags, keywords, passed),
                };
                if (newFlags == record.Flags && newKeywords == record.Keywords && newPassed == record.Passed) continue;
                var newName = record.BaseName + MessageFlagNames.MaildirInfo(newFlags, newKeywords, newPassed);
                try
                {
                    DurableFile.Rename(System.IO.Path.Combine(CurPath, record.FileName), System.IO.Path.Combine(CurPath, newName));
                }
                catch (FileNotFoundException)
                {
                    continue; // expunged by another process; the next sync reports it
                }

                record.FileName = newName;
                record.Flags = newFlags;
                record.Keywords = newKeywords;
                record.Passed = newPassed;
                record.ModSeq = ++HighestModSeq;
                changed.Add(record);
            }

            if (changed.Count > 0)
            {
                _curModified = Directory.GetLastWriteTimeUtc(CurPath);
                _dirty = true;
            }
        }

        if (changed.Count > 0) Changed?.Invoke();
        return changed;
    }

    private MessageRecord? FindLocked(uint uid) => Find(_snapshot ??= [.. _messages], uid);

    /// <summary>Removes messages (their files are deleted); returns the UIDs removed, ascending.</summary>
    public List<uint> Expunge(Func<MessageRecord, bool> which)
    {
        var removed = new List<uint>();
        long freed = 0;
        lock (_gate)
        {
            var doomed = _messages.Where(which).ToList();
            foreach (var record in doomed)
            {
                try
                {
                    File.Delete(System.IO.Path.Combine(CurPath, record.FileName));
                }
                catch (DirectoryNotFoundException)
                {
                }

                _byBase.Remove(record.BaseName);
                removed.Add(record.Uid);
                freed += record.Size;
            }

            if (doomed.Count > 0)
            {
                var gone = doomed.ToHashSet();
                _messages.RemoveAll(gone.Contains);
                _snapshot = null;
            }

            if (removed.Count > 0)
            {
                HighestModSeq++;
                _curModified = Directory.GetLastWriteTimeUtc(CurPath);
                _dirty = true;
            }
        }

        if (removed.Count > 0)
        {
            _usageChanged(-freed);
            Changed?.Invoke();
        }

        return removed;
    }

    /// <summary>
    /// Stores a message (APPEND): written to tmp/, fsynced, given its UID and renamed into cur/ with
    /// its flags; its mtime is the internal date (as Dovecot keeps it).
    /// </summary>
    public MessageRecord Append(ReadOnlySpan<byte> message, MessageFlags flags, uint keywords, bool passed, DateTimeOffset internalDate)
    {
        var unique = _store.NewUniqueName();
        var temporary = System.IO.Path.Combine(TmpPath, unique);
        using (var output = DurableFile.OpenPrivate(temporary))
        {
            output.Write(message);
            output.Flush(flushToDisk: true);
        }

        File.SetLastWriteTimeUtc(temporary, internalDate.UtcDateTime);
        var record = Adopt(temporary, unique + ",S=" + message.Length.ToString(CultureInfo.InvariantCulture), flags, keywords, passed, message.Length, internalDate.ToUnixTimeMilliseconds(), move: true);
        _usageChanged(message.Length);
        Changed?.Invoke();
        return record;
    }

    /// <summary>
    /// Stores a message the session already wrote (fsynced) to a file in the mailbox's tmp/: renamed
    /// into cur/ with its UID and flags, never read into memory.
    /// </summary>
    public MessageRecord AppendFile(string file, long length, MessageFlags flags, uint keywords, bool passed, DateTimeOffset internalDate)
    {
        File.SetLastWriteTimeUtc(file, internalDate.UtcDateTime);
        var record = Adopt(file, System.IO.Path.GetFileName(file) + ",S=" + length.ToString(CultureInfo.InvariantCulture), flags, keywords, passed, length, internalDate.ToUnixTimeMilliseconds(), move: true);
        _usageChanged(length);
        Changed?.Invoke();
        return record;
    }

    /// <summary>
    /// Takes a file from elsewhere (tmp/ or another folder of the same account) into cur/ under a
    /// new UID. With <paramref name="move"/> the file is renamed, else copied (through tmp/).
    /// </summary>
    private MessageRecord Adopt(string source, string baseWithoutUid, MessageFlags flags, uint keywords, bool passed, long size, long internalDate, bool move)
    {
        if (!move)
        {
            var copy = System.IO.Path.Combine(TmpPath, _store.NewUniqueName());
            using (var input = File.OpenRead(source))
            using (var output = DurableFile.OpenPrivate(copy))
            {
                input.CopyTo(output);
                output.Flush(flushToDisk: true);
            }

            File.SetLastWriteTimeUtc(copy, DateTimeOffset.FromUnixTimeMilliseconds(internalDate).UtcDateTime);
            source = copy;
        }

        lock (_gate)
        {
            var uid = AllocateUids(1);
            var baseName = baseWithoutUid + ",U=" + uid.ToString(CultureInfo.InvariantCulture);
            var name = baseName + MessageFlagNames.MaildirInfo(flags, keywords, passed);
            DurableFile.MoveDurably(source, System.IO.Path.Combine(CurPath, name));
            var record = new MessageRecord
            {
                Uid = uid, FileName = name, Flags = flags, Keywords = keywords, Passed = passed, Size = size,
                InternalDate = internalDate, SavedAt = _clock.GetUtcNow().ToUnixTimeMilliseconds(), ModSeq = ++HighestModSeq,
            };
            _messages.Add(record);
            _snapshot = null;
            _byBase[baseName] = record;
            _curModified = Directory.GetLastWriteTimeUtc(CurPath);
            _dirty = true;
            return record;
        }
    }

    /// <summary>
    /// Copies or moves messages from <paramref name="source"/> into this folder (COPY, MOVE: RFC 6851);
    /// keywords are carried by name. Returns (source UID, new UID) pairs in source UID order.
    /// </summary>
    public List<(uint From, uint To)> TakeFrom(MailFolder source, IReadOnlyList<MessageRecord> records, bool move)
    {
        var sourceKeywords = source.Keywords();
        var pairs = new List<(uint, uint)>();
        long added = 0;
        foreach (var record in records)
        {
            var names = Enumerable.Range(0, 26).Where(k => (record.Keywords & (1u << k)) != 0 && k < sourceKeywords.Count).Select(k => sourceKeywords[k]);
            var keywords = KeywordMask(names, create: true);
            var path = System.IO.Path.Combine(source.CurPath, record.FileName);
            var baseName = MaildirNames.WithoutUid(record.BaseName);
            MessageRecord copy;
            try
            {
                copy = Adopt(path, baseName, record.Flags, keywords, record.Passed, record.Size, record.InternalDate, move && source != this);
            }
            catch (FileNotFoundException)
            {
                continue; // expunged meanwhile
            }

            copy.Envelope = record.Envelope;
            copy.BodyStructure = record.BodyStructure;
            copy.Body = record.Body;
            copy.SearchHeaders = record.SearchHeaders;
            copy.SentDate = record.SentDate;
            pairs.Add((record.Uid, copy.Uid));
            if (!move || source == this) added += record.Size;
        }

        if (move && pairs.Count > 0)
        {
            var moved = pairs.Select(p => p.Item1).ToHashSet();
            if (source == this) Expunge(r => moved.Contains(r.Uid));
            else source.Forget(moved);
        }

        if (added > 0) _usageChanged(added);
        if (pairs.Count > 0) Changed?.Invoke();
        return pairs;
    }

    /// <summary>Drops records whose files were moved away by MOVE.</summary>
    private void Forget(HashSet<uint> uids)
    {
        lock (_gate)
        {
            _messages.RemoveAll(r =>
            {
                if (!uids.Contains(r.Uid)) return false;
                _byBase.Remove(r.BaseName);
                return true;
            });
            _snapshot = null;
            HighestModSeq++;
            _curModified = Directory.GetLastWriteTimeUtc(CurPath);
            _dirty = true;
        }

        Changed?.Invoke();
    }

    /// <summary>The message's octets; null when it is gone (expunged by someone else).</summary>
    public byte[]? Read(MessageRecord record)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return File.ReadAllBytes(System.IO.Path.Combine(CurPath, record.FileName));
            }
            catch (FileNotFoundException)
            {
                // Renamed by a flag change between our look and the read: the record has the new name.
            }
        }

        return null;
    }

    /// <summary>
    /// The message's header only (up to and including the blank line): enough for ENVELOPE and the
    /// search headers, and a fraction of the reading for messages with attachments. Null when gone.
    /// </summary>
    public byte[]? ReadHeader(MessageRecord record)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                using var file = new FileStream(System.IO.Path.Combine(CurPath, record.FileName), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
                var buffer = new byte[(int)Math.Min(Math.Max(record.Size, 1), 16 * 1024)];
                var filled = 0;
                while (true)
                {
                    var read = file.Read(buffer, filled, buffer.Length - filled);
                    if (read == 0) return buffer[..filled];
                    var searchFrom = Math.Max(0, filled - 3);
                    filled += read;
                    var span = buffer.AsSpan(0, filled);
                    var end = span[searchFrom..].IndexOf("\r\n\r\n"u8);
                    if (end >= 0) return buffer[..(searchFrom + end + 4)];
                    var bare = span[searchFrom..].IndexOf("\n\n"u8);
                    if (bare >= 0) return buffer[..(searchFrom + bare + 2)];
                    if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
            catch (FileNotFoundException)
            {
                // Renamed by a flag change meanwhile: the record has the new name.
            }
        }

        return null;
    }

    /// <summary>Fills the header-derived cache (envelope, search headers, sent date) from the header or the whole message.</summary>
    public static void FillHeaderCache(MessageRecord record, byte[] message)
    {
        var root = MimeStructureParser.Parse(message);
        var writer = new ImapWriter(() => Stream.Null, 1024);
        EnvelopeWriter.Write(writer, message, root);
        record.SentDate = EnvelopeWriter.SentDate(message, root)?.ToUnixTimeMilliseconds() ?? long.MinValue;
        var search = new StringBuilder();
        foreach (var name in SearchHeaderNames) search.Append(Decode(root.Header(message, name))).Append('\n');
        record.SearchHeaders = search.ToString();
        record.Envelope = writer.ToArray();
    }

    /// <summary>Fills every cached value from the whole message.</summary>
    public static void FillCache(MessageRecord record, byte[] message)
    {
        var root = MimeStructureParser.Parse(message);
        var writer = new ImapWriter(() => Stream.Null, 1024);
        BodyStructureWriter.Write(writer, message, root, extensible: true);
        record.BodyStructure = writer.ToArray();
        BodyStructureWriter.Write(writer, message, root, extensible: false);
        record.Body = writer.ToArray();
        if (!record.HasHeaderCache) FillHeaderCache(record, message);
    }

    /// <summary>
    /// Fills missing caches for many messages at once, on every core: the first FETCH of a large
    /// folder's envelopes reads thousands of headers. Returns how many were filled.
    /// </summary>
    public int Prefill(IReadOnlyCollection<MessageRecord> records, bool structure)
    {
        var missing = records.Where(r => structure ? !r.HasStructureCache : !r.HasHeaderCache).ToList();
        if (missing.Count == 0) return 0;
        Parallel.ForEach(missing, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, record =>
        {
            if (structure)
            {
                if (Read(record) is { } message) FillCache(record, message);
            }
            else if (ReadHeader(record) is { } header)
            {
                FillHeaderCache(record, header);
            }
        });
        MarkDirty();
        return missing.Count;
    }

    /// <summary>The headers SEARCH FROM/TO/CC/BCC/SUBJECT look at, in the order they are cached.</summary>
    public static readonly string[] SearchHeaderNames = ["From", "To", "Cc", "Bcc", "Subject"];

    private static string Decode(string? value) => value is null ? string.Empty : MessageText.DecodeHeader(value).Replace('\n', ' ');

    /// <summary>Marks the index as needing a write (caches were filled).</summary>
    public void MarkDirty() => _dirty = true;

    /// <summary>Writes the index if anything changed since it was last written.</summary>
    public void SaveIndex()
    {
        FolderIndexFile.Contents contents;
        lock (_gate)
        {
            if (!_dirty) return;
            _dirty = false;
            contents = new FolderIndexFile.Contents(UidValidity, UidNext, HighestModSeq, [.. _keywords], [.. _messages]);
        }

        FolderIndexFile.Write(System.IO.Path.Combine(Path, IndexFile), contents);
    }
}
