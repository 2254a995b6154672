using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// EXPUNGE (RFC 3501 6.4.3) removes every \Deleted message this session knows of; UID EXPUNGE
    /// (RFC 4315 2.1) only those in the UID set. Each removal is reported as * n EXPUNGE.
    /// </summary>
    private async ValueTask ExpungeAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        SequenceSet? uidSet = null;
        if (command.Uid) uidSet = SequenceSet.Parse(args.Atom("UID set"));
        args.End();
        if (_readOnly) throw ImapCommandException.Refused("Folder is read-only", "READ-ONLY");
        var known = _uids.ToHashSet();
        var largest = _uids.Count > 0 ? _uids[^1] : 0;
        _folder!.Expunge(m => m.Flags.HasFlag(MessageFlags.Deleted) && known.Contains(m.Uid) && (uidSet is null || uidSet.Contains(m.Uid, largest)));
        await CompleteAsync(command, "EXPUNGE completed", ct);
    }
}
