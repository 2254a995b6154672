using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// SELECT and EXAMINE (RFC 3501 6.3.1/6.3.2): FLAGS, EXISTS, RECENT, UNSEEN, PERMANENTFLAGS,
    /// UIDNEXT, UIDVALIDITY, HIGHESTMODSEQ (RFC 7162), then OK [READ-WRITE] or [READ-ONLY]. A
    /// failed SELECT leaves no folder selected.
    /// </summary>
    private async ValueTask SelectAsync(ImapCommand command, ImapArguments args, bool readOnly, CancellationToken ct)
    {
        var name = MailAccount.Canonical(args.AString("folder name"));
        if (args.Peek is { IsList: true })
        {
            foreach (var parameter in args.List("select parameters"))
            {
                if (parameter.Kind == ImapValueKind.Atom && parameter.Text.Equals("CONDSTORE", StringComparison.OrdinalIgnoreCase)) _condStore = true;
                else throw ImapCommandException.Syntax($"Unknown SELECT parameter {parameter}");
            }
        }

        args.End();
        Deselect();
        if (!_account!.Exists(name)) throw ImapCommandException.Refused("No such folder", "NONEXISTENT");

        var folder = _services.Folders.Acquire(_user!, name);
        _folder = folder;
        _readOnly = readOnly;
        _state = ImapState.Selected;
        var highest = folder.HighestModSeq;
        var messages = folder.Messages();
        _uids = messages.Select(m => m.Uid).ToList();
        _knownModSeq = _syncedModSeq = highest;
        _recentFrom = folder.ClaimRecent(readOnly);
        folder.Changed += OnFolderChanged;

        var keywords = folder.Keywords();
        _writer.Append("* FLAGS (");
        WriteFlagNames(keywords);
        _writer.Append(")\r\n");
        _writer.Append("* ").Append(_uids.Count).Append(" EXISTS\r\n");
        _writer.Append("* ").Append(RecentCount()).Append(" RECENT\r\n");
        var firstUnseen = Array.FindIndex(messages, m => !m.Flags.HasFlag(MessageFlags.Seen));
        if (firstUnseen >= 0) _writer.Append("* OK [UNSEEN ").Append(firstUnseen + 1).Append("] First unseen\r\n");
        _writer.Append("* OK [PERMANENTFLAGS (").Append(readOnly ? string.Empty : "\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded");
        if (!readOnly)
        {
            foreach (var keyword in keywords) _writer.Append(' ').Append(keyword);
            if (folder.CanCreateKeywords) _writer.Append(" \\*");
        }

        _writer.Append(")] Flags permitted\r\n");
        _writer.Append("* OK [UIDVALIDITY ").Append(folder.UidValidity).Append("] UIDs valid\r\n");
        _writer.Append("* OK [UIDNEXT ").Append(folder.UidNext).Append("] Predicted next UID\r\n");
        _writer.Append("* OK [HIGHESTMODSEQ ").Append((long)highest).Append("] Highest\r\n");
        await CompleteAsync(command, readOnly ? "EXAMINE completed" : "SELECT completed", ct, code: readOnly ? "READ-ONLY" : "READ-WRITE");
    }

    private void WriteFlagNames(IReadOnlyList<string> keywords)
    {
        _writer.Append("\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded");
        foreach (var keyword in keywords)
            if (keyword.Length > 0) _writer.Append(' ').Append(keyword);
    }

    private int RecentCount()
    {
        var count = 0;
        for (var i = _uids.Count - 1; i >= 0 && _uids[i] >= _recentFrom; i--) count++;
        return count;
    }

    private void OnFolderChanged()
    {
        if (_idling) _client.Wake();
    }

    /// <summary>Leaves the selected state (without expunging) and lets the folder go.</summary>
    private void Deselect()
    {
        if (_folder is null) return;
        _folder.Changed -= OnFolderChanged;
        _services.Folders.Release(_folder);
        _folder = null;
        _uids = [];
        _silentlyChanged.Clear();
        if (_state == ImapState.Selected) _state = ImapState.Authenticated;
    }

    /// <summary>
    /// Untagged news about the selected folder (RFC 3501 7.3-7.4): EXPUNGE for messages gone (not
    /// during FETCH, STORE or SEARCH by sequence number, RFC 3501 7.4.1), EXISTS and RECENT for new
    /// ones, FETCH FLAGS for flags another session changed.
    /// </summary>
    private async ValueTask WriteUpdatesAsync(bool allowExpunge, CancellationToken ct)
    {
        var folder = _folder!;
        folder.Sync();
        // Every change (new message, expunge, flags) raises the folder's MODSEQ: nothing new, nothing to do.
        var highest = folder.HighestModSeq;
        if (highest == _syncedModSeq)
        {
            _silentlyChanged.Clear();
            return;
        }

        var messages = folder.Messages();
        var keywords = folder.Keywords();
        var pendingExpunges = false;

        // Messages gone: both lists are sorted by UID, so one walk finds them. Walking down keeps
        // each reported sequence number right when the client applies it.
        var m = messages.Length - 1;
        for (var i = _uids.Count - 1; i >= 0; i--)
        {
            var uid = _uids[i];
            while (m >= 0 && messages[m].Uid > uid) m--;
            if (m >= 0 && messages[m].Uid == uid) continue;
            if (!allowExpunge)
            {
                pendingExpunges = true;
                break;
            }

            _writer.Append("* ").Append(i + 1).Append(" EXPUNGE\r\n");
            _uids.RemoveAt(i);
        }

        var last = _uids.Count > 0 ? _uids[^1] : 0;
        var added = false;
        foreach (var message in messages)
        {
            if (message.Uid <= last) continue;
            _uids.Add(message.Uid);
            added = true;
        }

        if (added)
        {
            _writer.Append("* ").Append(_uids.Count).Append(" EXISTS\r\n");
            _writer.Append("* ").Append(RecentCount()).Append(" RECENT\r\n");
        }

        if (highest > _knownModSeq)
        {
            foreach (var message in messages)
            {
                if (message.ModSeq <= _knownModSeq || message.Uid > last) continue;
                if (_silentlyChanged.Contains(message.Uid)) continue;
                var index = _uids.BinarySearch(message.Uid);
                if (index < 0) continue;
                _writer.Append("* ").Append(index + 1).Append(" FETCH (");
                WriteFlags(message, keywords);
                _writer.Append(" UID ").Append(message.Uid);
                if (_condStore) _writer.Append(" MODSEQ (").Append((long)message.ModSeq).Append(')');
                _writer.Append(")\r\n");
                await _writer.MaybeFlushAsync(ct);
            }

            _knownModSeq = highest;
        }

        if (!pendingExpunges) _syncedModSeq = highest;
        _silentlyChanged.Clear();
    }

    /// <summary>FLAGS (...) for a message, \Recent included when it is recent to this session.</summary>
    private void WriteFlags(MessageRecord m, IReadOnlyList<string> keywords)
    {
        _writer.Append("FLAGS (");
        var first = true;
        foreach (var (flag, name, _) in MessageFlagNames.All)
        {
            if (!m.Flags.HasFlag(flag)) continue;
            if (!first) _writer.Append(' ');
            _writer.Append(name);
            first = false;
        }

        if (m.Passed)
        {
            if (!first) _writer.Append(' ');
            _writer.Append("$Forwarded");
            first = false;
        }

        for (var k = 0; k < keywords.Count; k++)
        {
            if ((m.Keywords & (1u << k)) == 0 || keywords[k].Length == 0) continue;
            if (!first) _writer.Append(' ');
            _writer.Append(keywords[k]);
            first = false;
        }

        if (m.Uid >= _recentFrom)
        {
            if (!first) _writer.Append(' ');
            _writer.Append("\\Recent");
        }

        _writer.Append(')');
    }
}
