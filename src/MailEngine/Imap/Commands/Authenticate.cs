using MailEngine.Auth;
using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>AUTHENTICATE PLAIN (RFC 3501 6.2.2, RFC 4959 SASL-IR), only inside TLS; "*" cancels.</summary>
    private async ValueTask AuthenticateAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var mechanism = args.Atom("mechanism").ToUpperInvariant();
        var initial = args.AtEnd ? null : args.Next("initial response").Text;
        args.End();
        if (mechanism != "PLAIN") throw ImapCommandException.Refused("Unsupported mechanism; use PLAIN", "CANNOT");
        if (!_client.Tls) throw ImapCommandException.Refused("Use STARTTLS first: passwords are only accepted over TLS", "PRIVACYREQUIRED");
        if (initial is null)
        {
            _writer.Append("+ \r\n");
            await _writer.FlushAsync(ct);
            var line = await ReadLineAsync(Limits.MaxLineBytes, ct);
            if (line is null) throw new IOException("Connection closed during AUTHENTICATE");
            initial = System.Text.Encoding.ASCII.GetString(line.Bytes);
            if (initial == "*") throw ImapCommandException.Syntax("AUTHENTICATE cancelled");
        }

        switch (SaslPlain.TryDecode(initial, out var username, out var password))
        {
            case SaslPlain.Outcome.Undecodable or SaslPlain.Outcome.Malformed:
                throw ImapCommandException.Syntax("Invalid PLAIN response");
            case SaslPlain.Outcome.OtherIdentity:
                throw ImapCommandException.Refused("Authentication failed", "AUTHENTICATIONFAILED");
        }

        await SignInAsync(command, username, password, ct);
    }
}
