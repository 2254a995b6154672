namespace MailEngine.Smtp;

/// <summary>
/// Where a session is in RFC 5321's command sequence (4.1.4, 3.3): the commands check it and move it on,
/// as <see cref="Imap.ImapState"/> does for IMAP. The transaction's data (sender, recipients) is kept
/// beside it; the state says which of it is valid.
/// </summary>
internal enum SmtpState
{
    /// <summary>Connected (or just through STARTTLS, RFC 3207 4.2): EHLO or HELO comes first.</summary>
    Connected,

    /// <summary>Greeted: no mail transaction; MAIL may start one (AUTH and STARTTLS are allowed here).</summary>
    Greeted,

    /// <summary>MAIL FROM accepted, no recipient yet.</summary>
    Mail,

    /// <summary>At least one RCPT TO accepted: DATA may follow.</summary>
    Recipients,

    /// <summary>QUIT, a fatal error or a refused STARTTLS handshake: the session ends after this reply.</summary>
    Closing,
}
