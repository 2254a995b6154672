using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>ID (RFC 2971): the client says who it is (logged at debug level), we say our name.</summary>
    private async ValueTask IdAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        var value = args.Next("ID parameters");
        if (!value.IsNil && !value.IsList) throw ImapCommandException.Syntax("ID takes a list or NIL");
        if (value.IsList && (value.Items.Count % 2 != 0 || value.Items.Count > 60)) throw ImapCommandException.Syntax("ID list must hold at most 30 field/value pairs");
        args.End();
        _writer.Append("* ID (\"name\" \"MailEngine\" \"vendor\" \"self-hosted mail platform\")\r\n");
        await CompleteAsync(command, "ID completed", ct);
    }
}
