using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>LOGOUT (RFC 3501 6.1.3): BYE, then the tagged OK, then the connection closes.</summary>
    private async ValueTask LogoutAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        args.End();
        _writer.Append("* BYE Logging out\r\n");
        _writer.Append(command.Tag).Append(" OK LOGOUT completed\r\n");
        await _writer.FlushAsync(ct);
        _state = ImapState.Logout;
    }
}
