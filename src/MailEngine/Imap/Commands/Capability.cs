using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// What this server offers (RFC 3501 6.1.1). Before TLS, LOGINDISABLED and STARTTLS and no
    /// mechanism (RFC 3501 6.2.3, RFC 8314: credentials only inside TLS); after login, no STARTTLS.
    /// </summary>
    private string Capabilities()
    {
        var list = new List<string> { "IMAP4rev1", "LITERAL+", "SASL-IR", "ID", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE",
            "CHILDREN", "SPECIAL-USE", "LIST-EXTENDED", "LIST-STATUS", "QUOTA", "QUOTA=RES-STORAGE", "CONDSTORE", $"APPENDLIMIT={Limits.MaxLiteralBytes}" };
        if (_state == ImapState.NotAuthenticated)
        {
            if (_client.Tls) list.Add("AUTH=PLAIN");
            else list.AddRange(["STARTTLS", "LOGINDISABLED"]);
        }

        return string.Join(' ', list);
    }

    private async ValueTask CapabilityAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        args.End();
        _writer.Append("* CAPABILITY ").Append(Capabilities()).Append("\r\n");
        await CompleteAsync(command, "CAPABILITY completed", ct);
    }
}
