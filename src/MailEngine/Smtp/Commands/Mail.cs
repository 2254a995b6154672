using System.Globalization;

namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>MAIL FROM (RFC 5321 4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152) and SMTPUTF8 (RFC 6531).</summary>
    private SmtpReply Mail(string argument)
    {
        if (_helo is null) return new SmtpReply(503, "5.5.1", "Send EHLO or HELO first");
        if (_mailFrom is not null) return new SmtpReply(503, "5.5.1", "Nested MAIL command");
        if (_kind != ListenerKind.Mx && _authenticated is null) return new SmtpReply(530, "5.7.0", "Authentication required");

        var path = SmtpPath.TryParse(argument, "FROM", allowNull: true, out var error);
        if (path is null) return error!;

        var smtpUtf8 = false;
        long declaredSize = 0;
        foreach (var (name, value) in path.Parameters)
        {
            switch (name.ToUpperInvariant())
            {
                case "SIZE" when _extended:
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size)) return SmtpReply.Syntax("SIZE needs a number");
                    if (size > Snapshot.Snapshot.Policy.MaxMessageBytes) return new SmtpReply(552, "5.3.4", "Message size exceeds fixed maximum message size");
                    declaredSize = size;
                    break;
                case "BODY" when _extended:
                    if (value is not ("7BIT" or "8BITMIME")) return new SmtpReply(555, "5.5.4", "BODY must be 7BIT or 8BITMIME");
                    break;
                case "SMTPUTF8" when _extended && value is null:
                    smtpUtf8 = true;
                    break;
                case "AUTH" when _extended:
                    // RFC 4954 5: the AUTH parameter may be ignored.
                    break;
                default:
                    return new SmtpReply(555, "5.5.4", $"Unsupported parameter {SmtpReply.Quote(name)}");
            }
        }

        if (path.Address is { } sender && !smtpUtf8 && !IsAscii(sender.ToString()))
            return new SmtpReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8"); // RFC 6531 3.5

        if (_authenticated is not null)
        {
            // RFC 6409 6.1: the submission server checks that the user may use the sender address.
            if (path.Address is not { } from || !Snapshot.MaySendAs(_authenticated, from.ToString()))
                return new SmtpReply(553, "5.7.1", $"Sender address not owned by {_authenticated}");
        }

        _mailFrom = path;
        _smtpUtf8 = smtpUtf8;
        _declaredSize = declaredSize;
        return new SmtpReply(250, "2.1.0", "Ok");
    }

    private static bool IsAscii(string text) => System.Text.Ascii.IsValid(text);
}
