using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>STARTTLS (RFC 3501 6.2.1): OK, then the handshake; a failed handshake ends the session.</summary>
    private async ValueTask StartTlsCommandAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        args.End();
        if (_client.Tls) throw ImapCommandException.Syntax("TLS is already active");
        _writer.Append(command.Tag).Append(" OK Begin TLS negotiation now\r\n");
        await _writer.FlushAsync(ct);
        if (!await StartTlsAsync(ct)) _state = ImapState.Logout;
    }
}
