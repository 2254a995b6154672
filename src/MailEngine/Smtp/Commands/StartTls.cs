namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>STARTTLS (RFC 3207): after the handshake the session starts over, as if newly connected (4.2).</summary>
    private async ValueTask<SmtpReply?> StartTlsCommandAsync(string argument, CancellationToken ct)
    {
        if (_tls) return new SmtpReply(503, "5.5.1", "TLS already active");
        if (argument.Length > 0) return SmtpReply.Syntax("Syntax: STARTTLS");
        await ReplyAsync(new SmtpReply(220, "2.0.0", "Ready to start TLS"), ct);
        if (!await StartTlsAsync(ct))
        {
            _quit = true;
            return null;
        }

        _helo = null;
        _extended = false;
        _authenticated = null;
        ResetTransaction();
        return null;
    }
}
