using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>CREATE (RFC 3501 6.3.3), with missing superior levels; an existing name gets [ALREADYEXISTS] (RFC 5530).</summary>
    private async ValueTask CreateAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var name = args.AString("folder name");
        if (args.Peek is { IsList: true }) args.List("create parameters"); // RFC 6154 USE is not offered: folders' uses are fixed
        args.End();
        _account!.Create(name);
        await CompleteAsync(command, "CREATE completed", ct);
    }
}
