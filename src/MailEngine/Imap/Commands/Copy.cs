using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// COPY (RFC 3501 6.4.7) and MOVE (RFC 6851), with COPYUID (RFC 4315). MOVE renames the files and
    /// reports COPYUID untagged, then the expunges. A move into Junk is a learn-spam event, a move
    /// from Junk to INBOX a learn-ham event (the seed's imapsieve report scripts).
    /// </summary>
    private async ValueTask CopyAsync(ImapCommand command, ImapArguments args, bool move, CancellationToken ct)
    {
        var set = SequenceSet.Parse(args.Atom("sequence set"));
        var name = MailAccount.Canonical(args.AString("folder name"));
        args.End();
        if (move && _readOnly) throw ImapCommandException.Refused("Folder is read-only", "READ-ONLY");
        if (!_account!.Exists(name)) throw ImapCommandException.Refused("No such folder", "TRYCREATE");
        var source = _folder!;
        var wanted = Targets(set, command.Uid).ToHashSet();
        var records = source.Messages().Where(m => wanted.Contains(m.Uid)).ToList();
        if (!move) CheckQuota(records.Sum(r => r.Size));

        var learn = name == "Junk" && source.Name != "Junk" ? true : source.Name == "Junk" && name == "INBOX" ? false : (bool?)null;
        if (learn is { } spam)
        {
            foreach (var record in records)
                if (source.Read(record) is { } octets) _services.Learning.Raise(_user!, spam, octets);
        }

        var target = name == source.Name ? source : _services.Folders.Acquire(_user!, name);
        List<(uint From, uint To)> pairs;
        try
        {
            pairs = target.TakeFrom(source, records, move);
        }
        finally
        {
            if (target != source) _services.Folders.Release(target);
        }

        var code = pairs.Count == 0 ? null : $"COPYUID {target.UidValidity} {SequenceSet.Format(pairs.Select(p => p.From))} {SequenceSet.Format(pairs.Select(p => p.To))}";
        if (move)
        {
            if (code is not null) _writer.Append("* OK [").Append(code).Append("] Moved\r\n");
            await CompleteAsync(command, "MOVE completed", ct);
            return;
        }

        await CompleteAsync(command, "COPY completed", ct, code: code, allowExpunge: command.Uid);
    }
}
