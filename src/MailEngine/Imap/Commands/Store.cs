using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// STORE (RFC 3501 6.4.6): FLAGS, +FLAGS, -FLAGS, each optionally .SILENT, and UNCHANGEDSINCE
    /// (RFC 7162 3.1.3) whose failures come back as [MODIFIED set]. Flags are renamed into the
    /// Maildir file names at once.
    /// </summary>
    private async ValueTask StoreAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var set = SequenceSet.Parse(args.Atom("sequence set"));
        ulong? unchangedSince = null;
        if (args.Peek is { IsList: true })
        {
            var modifiers = args.List("store modifiers");
            if (modifiers.Count != 2 || !modifiers[0].Text.Equals("UNCHANGEDSINCE", StringComparison.OrdinalIgnoreCase) || !ulong.TryParse(modifiers[1].Text, out var since))
                throw ImapCommandException.Syntax("Unknown STORE modifier");
            unchangedSince = since;
            _condStore = true;
        }

        var item = args.Atom("data item").ToUpperInvariant();
        var silent = item.EndsWith(".SILENT", StringComparison.Ordinal);
        var change = (silent ? item[..^7] : item) switch
        {
            "FLAGS" => FlagChange.Replace,
            "+FLAGS" => FlagChange.Add,
            "-FLAGS" => FlagChange.Remove,
            _ => throw ImapCommandException.Syntax($"Invalid STORE data item {item}"),
        };
        var names = new List<string>();
        if (args.Peek is { IsList: true }) names.AddRange(args.List("flags").Select(f => f.Text));
        else while (!args.AtEnd) names.Add(args.Atom("flag"));
        args.End();
        if (_readOnly) throw ImapCommandException.Refused("Folder is read-only", "READ-ONLY");

        var folder = _folder!;
        var (flags, keywords, passed) = ParseFlags(folder, names, create: change != FlagChange.Remove);
        var targets = Targets(set, command.Uid);
        var failed = new List<uint>();
        var changed = folder.Store(targets, change, flags, keywords, passed, unchangedSince, failed);
        var folderKeywords = folder.Keywords();
        foreach (var record in changed)
        {
            _silentlyChanged.Add(record.Uid);
            if (silent && unchangedSince is null) continue;
            var index = _uids.BinarySearch(record.Uid);
            _writer.Append("* ").Append(index + 1).Append(" FETCH (");
            WriteFlags(record, folderKeywords);
            if (command.Uid) _writer.Append(" UID ").Append(record.Uid);
            if (_condStore) _writer.Append(" MODSEQ (").Append((long)record.ModSeq).Append(')');
            _writer.Append(")\r\n");
            await _writer.MaybeFlushAsync(ct);
        }

        string? code = null;
        if (failed.Count > 0)
            code = "MODIFIED " + SequenceSet.Format(command.Uid ? failed : failed.Select(u => (uint)(_uids.BinarySearch(u) + 1)).Order());
        await CompleteAsync(command, "STORE completed", ct, code: code, allowExpunge: command.Uid);
    }

    /// <summary>The UIDs a sequence set names in this session's view (by UID or by sequence number).</summary>
    private List<uint> Targets(SequenceSet set, bool byUid)
    {
        var targets = new List<uint>();
        if (_uids.Count == 0)
        {
            // RFC 3501: "*" in an empty folder is an error for sequence numbers, nothing for UIDs.
            if (!byUid) throw ImapCommandException.Syntax("No messages in the folder");
            return targets;
        }

        if (byUid)
        {
            foreach (var index in set.IndexesIn(_uids)) targets.Add(_uids[index]);
            return targets;
        }

        var count = (uint)_uids.Count;
        for (uint n = 1; n <= count; n++)
            if (set.Contains(n, count)) targets.Add(_uids[(int)n - 1]);
        if (targets.Count == 0 || !set.Valid(count)) throw ImapCommandException.Syntax("Invalid message sequence number");
        return targets;
    }
}
