using System.Globalization;
using MailEngine.Policy;

namespace MailEngine.Smtp;

/// <summary>
/// Every reply the SMTP server sends, by name, with its RFC 5321 code and RFC 3463 enhanced status
/// code: the command files parse and sequence and answer with these, and <see cref="For"/> is the one
/// place a policy decision becomes a reply.
/// </summary>
public static class SmtpReplies
{
    // Greeting, end and session-wide (RFC 5321 4.2, 3.8).
    public static SmtpReply Greeting(string host) => new(220, null, $"{host} ESMTP ready");
    public static SmtpReply Closing(string host) => new(221, "2.0.0", $"{host} closing connection");
    public static SmtpReply TooManyErrors(string host) => new(421, "4.7.0", $"{host} Too many errors, closing connection");
    public static SmtpReply Timeout(string host) => new(421, "4.4.2", $"{host} Timeout, closing connection");
    public static SmtpReply ShuttingDown(string host) => new(421, "4.3.2", $"{host} Service shutting down");
    public static SmtpReply InternalError(string host) => new(421, "4.3.0", $"{host} Internal error, closing connection");
    public static SmtpReply TooManyConnections(string host) => new(421, "4.7.0", $"{host} Too many connections, try again later");

    // Command syntax and sequence (RFC 5321 4.2.2, RFC 3463 5.5.x).
    public static readonly SmtpReply Ok = new(250, "2.0.0", "Ok");
    public static readonly SmtpReply SenderOk = new(250, "2.1.0", "Ok");
    public static readonly SmtpReply RecipientOk = new(250, "2.1.5", "Ok");
    public static readonly SmtpReply ControlCharacters = new(501, "5.5.2", "Control characters are not allowed in commands");
    public static readonly SmtpReply EmptyCommand = new(500, "5.5.2", "Empty command");
    public static readonly SmtpReply UnknownCommand = new(500, "5.5.2", "Command not recognized");
    public static readonly SmtpReply LineTooLong = new(500, "5.5.2", "Line too long");
    public static readonly SmtpReply Vrfy = new(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
    public static readonly SmtpReply ExpnUnavailable = new(502, "5.5.1", "EXPN is not available");
    public static readonly SmtpReply Help = new(214, "2.0.0", "See RFC 5321");
    public static readonly SmtpReply NeedHelo = new(503, "5.5.1", "Send EHLO or HELO first");
    public static readonly SmtpReply NeedEhlo = new(503, "5.5.1", "Send EHLO first");
    public static readonly SmtpReply NestedMail = new(503, "5.5.1", "Nested MAIL command");
    public static readonly SmtpReply NeedMailBeforeRcpt = new(503, "5.5.1", "Need MAIL before RCPT");
    public static readonly SmtpReply NeedMailBeforeData = new(503, "5.5.1", "Need MAIL before DATA");
    public static readonly SmtpReply NoValidRecipients = new(554, "5.5.1", "No valid recipients");
    public static readonly SmtpReply StartData = new(354, null, "End data with <CR><LF>.<CR><LF>");
    public static readonly SmtpReply SizeNotNumber = Syntax("SIZE needs a number");
    public static readonly SmtpReply RecipientRequired = new(501, "5.1.3", "A recipient address is required");
    public static readonly SmtpReply BodyValue = new(555, "5.5.4", "BODY must be 7BIT or 8BITMIME");
    public static readonly SmtpReply NonAsciiAddress = new(553, "5.6.7", "Non-ASCII address requires SMTPUTF8"); // RFC 6531 3.5
    public static readonly SmtpReply MessageTooBigDeclared = new(552, "5.3.4", "Message size exceeds fixed maximum message size");
    public static readonly SmtpReply MailLoop = new(554, "5.4.6", "Too many hops: mail loop detected");

    public static SmtpReply Syntax(string usage) => new(501, "5.5.4", usage);
    public static SmtpReply MalformedParameter(string token) => new(501, "5.5.4", $"Malformed parameter '{SmtpReply.Quote(token)}'");
    public static SmtpReply BadAddress(string reason) => new(501, "5.1.3", $"Bad address syntax: {reason}");
    public static SmtpReply Helo(string host) => new(250, null, host);
    public static SmtpReply Ehlo(IEnumerable<string> lines) => new(250, null, [.. lines]);
    public static SmtpReply UnsupportedParameter(string name) => new(555, "5.5.4", $"Unsupported parameter {SmtpReply.Quote(name)}");
    public static SmtpReply Queued(string queueId) => new(250, "2.0.0", $"Ok: queued as {queueId}");
    public static SmtpReply MessageTooBig(long maxBytes) => new(552, "5.3.4", $"Message size exceeds fixed maximum message size ({maxBytes.ToString(CultureInfo.InvariantCulture)} bytes)");
    public static SmtpReply DataLineTooLong(int maxBytes) => new(500, "5.5.2", $"Message has a line longer than {maxBytes.ToString(CultureInfo.InvariantCulture)} octets");
    public static SmtpReply BareLineEnding(string host) => new(521, "5.5.2", $"{host} Bare <CR> or <LF> in message data is not allowed; closing connection");

    // STARTTLS (RFC 3207) and AUTH (RFC 4954).
    public static readonly SmtpReply ReadyForTls = new(220, "2.0.0", "Ready to start TLS");
    public static readonly SmtpReply TlsActive = new(503, "5.5.1", "TLS already active");
    public static readonly SmtpReply AuthOnSubmissionOnly = new(502, "5.5.1", "AUTH is offered on the submission ports only");
    public static readonly SmtpReply EncryptionRequired = new(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static readonly SmtpReply AlreadyAuthenticated = new(503, "5.5.1", "Already authenticated");
    public static readonly SmtpReply AuthInTransaction = new(503, "5.5.1", "AUTH is not allowed during a mail transaction");
    public static readonly SmtpReply AuthenticationRequired = new(530, "5.7.0", "Authentication required");
    public static readonly SmtpReply CannotDecode = new(501, "5.5.2", "Cannot decode the response");
    public static readonly SmtpReply MalformedPlain = new(501, "5.5.2", "Malformed PLAIN response");
    public static readonly SmtpReply InvalidCredentials = new(535, "5.7.8", "Authentication credentials invalid");
    public static readonly SmtpReply UnknownMechanism = new(504, "5.5.4", "Unrecognized authentication type");
    public static readonly SmtpReply AuthUnavailable = new(454, "4.7.0", "Temporary authentication failure, try again later");
    public static readonly SmtpReply Authenticated = new(235, "2.7.0", "Authentication successful");
    public static SmtpReply TooManyFailedLogins(string host) => new(421, "4.7.0", $"{host} Too many failed logins, closing connection");
    public static SmtpReply Challenge(string base64) => new(334, null, base64);

    /// <summary>The reply for a policy decision that is not an accept (RFC 3463: 5.1.x address, 5.2.x mailbox, 5.7.x policy).</summary>
    public static SmtpReply For(PolicyDecision decision) => decision.Reason switch
    {
        PolicyReason.TooManyRecipients => new(452, "4.5.3", "Too many recipients"), // RFC 5321 4.5.3.1.10
        PolicyReason.UnknownRecipient => new(550, "5.1.1", $"<{decision.Subject}>: Recipient address rejected: {decision.Detail ?? "no such mailbox here"}"),
        PolicyReason.EmptyGroup => new(550, "5.1.1", $"<{decision.Subject}>: Recipient address rejected: the group has no one to deliver to"),
        PolicyReason.RelayDenied => new(554, "5.7.1", $"<{decision.Subject}>: Relay access denied"),
        PolicyReason.MailboxDisabled => new(550, "5.2.1", $"<{decision.Subject}>: Mailbox disabled"),
        PolicyReason.MailboxFull => new(552, "5.2.2", $"<{decision.Subject}>: Mailbox full"),
        PolicyReason.SenderNotOwned => new(553, "5.7.1", $"Sender address not owned by {decision.Subject}"),
        PolicyReason.SenderHeaderNotOwned => new(553, "5.7.1", decision.Detail ?? "Sender header not owned"),
        PolicyReason.SieveRefused => new(550, "5.7.1", OneLine(decision.Detail ?? "")),
        PolicyReason.Spam => new(550, "5.7.1", $"Message refused as spam (score {decision.Detail})"),
        PolicyReason.ScannerNotReady => new(451, "4.3.0", "Spam scanner not ready yet, try again later"),
        PolicyReason.SigningFailed => new(451, "4.7.0", "The message could not be signed (DKIM), try again later"),
        // RFC 7489 §10.3 suggests the reason in the reply, so the sender's postmaster can see it was DMARC.
        PolicyReason.DmarcReject => new(550, "5.7.1", $"Message refused: the DMARC policy of {decision.Subject} is reject, and neither SPF nor DKIM authenticated it for {decision.Subject}"),
        _ => decision.Verdict == PolicyVerdict.Defer ? new(451, "4.3.0", "Try again later") : new(550, "5.7.1", "Refused"),
    };

    /// <summary>A Sieve reason as one reply line: no line breaks, at most 400 characters.</summary>
    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length == 0 ? "Rejected by the recipient's filter" : line.Length > 400 ? line[..400] : line;
    }
}
