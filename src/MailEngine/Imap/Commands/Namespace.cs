using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>NAMESPACE (RFC 2342): one personal namespace, no prefix, '/' between levels.</summary>
    private async ValueTask NamespaceAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        args.End();
        _writer.Append("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
        await CompleteAsync(command, "NAMESPACE completed", ct);
    }
}
