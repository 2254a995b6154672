using System.Globalization;
using MailEngine.Policy;

namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>MAIL FROM (RFC 5321 4.1.1.2) with SIZE (RFC 1870), BODY (RFC 6152) and SMTPUTF8 (RFC 6531).</summary>
    private SmtpReply Mail(string argument)
    {
        if (_state == SmtpState.Connected) return SmtpReplies.NeedHelo;
        if (_state is SmtpState.Mail or SmtpState.Recipients) return SmtpReplies.NestedMail;
        if (_kind != ListenerKind.Mx && _authenticated is null) return SmtpReplies.AuthenticationRequired;

        var path = SmtpPath.TryParse(argument, "FROM", allowNull: true, out var error);
        if (path is null) return error!;

        var smtpUtf8 = false;
        long declaredSize = 0;
        foreach (var (name, value) in path.Parameters)
        {
            switch (name.ToUpperInvariant())
            {
                case "SIZE" when _extended:
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size)) return SmtpReplies.SizeNotNumber;
                    if (size > Snapshot.Snapshot.Policy.MaxMessageBytes) return SmtpReplies.MessageTooBigDeclared;
                    declaredSize = size;
                    break;
                case "BODY" when _extended:
                    if (value is not ("7BIT" or "8BITMIME")) return SmtpReplies.BodyValue;
                    break;
                case "SMTPUTF8" when _extended && value is null:
                    smtpUtf8 = true;
                    break;
                case "AUTH" when _extended:
                    // RFC 4954 5: the AUTH parameter may be ignored.
                    break;
                default:
                    return SmtpReplies.UnsupportedParameter(name);
            }
        }

        if (path.Address is { } sender && !smtpUtf8 && !IsAscii(sender.ToString()))
            return SmtpReplies.NonAsciiAddress;

        // RFC 6409 6.1: the submission server checks that the user may use the sender address.
        var ownership = SenderPolicy.EnvelopeSender(_authenticated, path.Address?.ToString(), Snapshot.MaySendAs);
        if (!ownership.Accepted) return Decided(ownership);

        _mailFrom = path;
        _state = SmtpState.Mail;
        _smtpUtf8 = smtpUtf8;
        _declaredSize = declaredSize;
        return SmtpReplies.SenderOk;
    }

    private static bool IsAscii(string text) => System.Text.Ascii.IsValid(text);
}
