using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// CLOSE (RFC 3501 6.4.2) expunges \Deleted messages silently (not in EXAMINE) and deselects;
    /// UNSELECT (RFC 3691) only deselects.
    /// </summary>
    private async ValueTask CloseAsync(ImapCommand command, ImapArguments args, bool expunge, CancellationToken ct)
    {
        args.End();
        if (expunge && !_readOnly)
        {
            var known = _uids.ToHashSet();
            _folder!.Expunge(m => m.Flags.HasFlag(MessageFlags.Deleted) && known.Contains(m.Uid));
        }

        Deselect();
        _writer.Append(command.Tag).Append(" OK ").Append(command.Name).Append(" completed\r\n");
        await _writer.FlushAsync(ct);
    }
}
