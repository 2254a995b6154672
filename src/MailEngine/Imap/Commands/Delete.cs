using MailEngine.Imap.Protocol;
using MailEngine.Store;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>DELETE (RFC 3501 6.3.4): the folder and its messages; INBOX and folders with children stay.</summary>
    private async ValueTask DeleteAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var name = MailAccount.Canonical(args.AString("folder name"));
        args.End();
        if (_folder is not null && _folder.Name == name) Deselect();
        _account!.Delete(name);
        await CompleteAsync(command, "DELETE completed", ct);
    }
}
