using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>STATUS (RFC 3501 6.3.10): MESSAGES, RECENT, UIDNEXT, UIDVALIDITY, UNSEEN, SIZE (RFC 8438), HIGHESTMODSEQ (RFC 7162).</summary>
    private async ValueTask StatusAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var name = MailAccount.Canonical(args.AString("folder name"));
        var items = args.List("status items");
        args.End();
        if (items.Count == 0) throw ImapCommandException.Syntax("STATUS needs at least one item");
        if (!_account!.Exists(name)) throw ImapCommandException.Refused("No such folder", "NONEXISTENT");
        WriteStatus(name, items);
        await CompleteAsync(command, "STATUS completed", ct);
    }

    private void WriteStatus(string name, List<ImapValue> items)
    {
        var folder = _services.Folders.Acquire(_user!, name);
        try
        {
            var messages = folder.Messages();
            _writer.Append("* STATUS ").String(name).Append(" (");
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0) _writer.Append(' ');
                var item = items[i].Text.ToUpperInvariant();
                _writer.Append(item).Append(' ');
                switch (item)
                {
                    case "MESSAGES": _writer.Append(messages.Length); break;
                    case "RECENT": _writer.Append(messages.Count(m => m.Uid >= folder.RecentBoundary)); break;
                    case "UIDNEXT": _writer.Append(folder.UidNext); break;
                    case "UIDVALIDITY": _writer.Append(folder.UidValidity); break;
                    case "UNSEEN": _writer.Append(messages.Count(m => !m.Flags.HasFlag(MessageFlags.Seen))); break;
                    case "SIZE": _writer.Append(messages.Sum(m => m.Size)); break;
                    case "HIGHESTMODSEQ": _writer.Append((long)folder.HighestModSeq); break;
                    default: throw ImapCommandException.Syntax($"Unknown status item {item}");
                }
            }

            _writer.Append(")\r\n");
        }
        finally
        {
            _services.Folders.Release(folder);
        }
    }
}
