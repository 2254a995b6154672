using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.6/6.3.7).</summary>
    private async ValueTask SubscribeAsync(ImapCommand command, ImapArguments args, bool subscribe, CancellationToken ct)
    {
        var name = args.AString("folder name");
        args.End();
        if (subscribe && !_account!.Exists(name)) throw ImapCommandException.Refused("No such folder", "NONEXISTENT");
        _account!.Subscribe(name, subscribe);
        await CompleteAsync(command, $"{command.Name} completed", ct);
    }
}
