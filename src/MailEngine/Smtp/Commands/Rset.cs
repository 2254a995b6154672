namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>RSET (RFC 5321 4.1.1.5): ends the transaction, keeps the session (EHLO and AUTH stay).</summary>
    private SmtpReply Rset(string argument)
    {
        if (argument.Length > 0) return SmtpReplies.Syntax("Syntax: RSET");
        ResetTransaction();
        return SmtpReplies.Ok;
    }

    /// <summary>QUIT (RFC 5321 4.1.1.10).</summary>
    private SmtpReply Quit()
    {
        _state = SmtpState.Closing;
        return SmtpReplies.Closing(HostName);
    }
}
