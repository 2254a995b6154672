namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>STARTTLS (RFC 3207): after the handshake the session starts over, as if newly connected (4.2).</summary>
    private async ValueTask<SmtpReply?> StartTlsCommandAsync(string argument, CancellationToken ct)
    {
        if (_client.Tls) return SmtpReplies.TlsActive;
        if (argument.Length > 0) return SmtpReplies.Syntax("Syntax: STARTTLS");
        await ReplyAsync(SmtpReplies.ReadyForTls, ct);
        if (!await StartTlsAsync(ct))
        {
            _state = SmtpState.Closing;
            return null;
        }

        ResetTransaction();
        _state = SmtpState.Connected; // RFC 3207 4.2: EHLO again, nothing learned before TLS holds
        _helo = null;
        _extended = false;
        _authenticated = null;
        return null;
    }
}
