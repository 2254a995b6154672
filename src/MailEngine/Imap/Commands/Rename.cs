using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>RENAME (RFC 3501 6.3.5), children included; renaming INBOX moves its messages.</summary>
    private async ValueTask RenameAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var from = MailAccount.Canonical(args.AString("folder name"));
        var to = args.AString("new folder name");
        args.End();
        if (_folder is not null && from != "INBOX" && (_folder.Name == from || _folder.Name.StartsWith(from + "/", StringComparison.Ordinal))) Deselect();
        _account!.Rename(from, to);
        await CompleteAsync(command, "RENAME completed", ct);
    }
}
