using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>NOOP and CHECK (RFC 3501 6.1.2, 6.4.1): nothing but the folder's news (new mail, expunges, flag changes).</summary>
    private async ValueTask NoopAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        args.End();
        await CompleteAsync(command, $"{command.Name} completed", ct);
    }
}
