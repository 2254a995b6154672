using System.Globalization;

namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>EHLO/HELO (RFC 5321 4.1.1.1): resets the transaction and lists the extensions this session may use.</summary>
    private SmtpReply Ehlo(string argument, bool extended)
    {
        var domain = argument.Trim();
        if (domain.Length == 0 || domain.Contains(' ', StringComparison.Ordinal))
            return SmtpReplies.Syntax(extended ? "Syntax: EHLO domain-or-address-literal" : "Syntax: HELO domain");

        ResetTransaction();
        _state = SmtpState.Greeted;
        _helo = domain;
        _extended = extended;
        if (!extended) return SmtpReplies.Helo(HostName);

        var lines = new List<string>
        {
            $"{HostName} Hello {SmtpReply.Quote(domain)}",
            $"SIZE {Snapshot.Snapshot.Policy.MaxMessageBytes.ToString(CultureInfo.InvariantCulture)}", // RFC 1870
            "8BITMIME",            // RFC 6152
            "PIPELINING",          // RFC 2920
            "ENHANCEDSTATUSCODES", // RFC 2034
            "SMTPUTF8",            // RFC 6531
        };
        if (!_client.Tls) lines.Add("STARTTLS"); // RFC 3207
        // RFC 4954 and 8314: credentials only inside TLS, and only where users submit mail.
        if (_client.Tls && _kind != ListenerKind.Mx && _authenticated is null) lines.Add("AUTH PLAIN LOGIN");
        return SmtpReplies.Ehlo(lines);
    }
}
