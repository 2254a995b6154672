using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    private bool _condStore;

    /// <summary>ENABLE (RFC 5161): CONDSTORE (RFC 7162) is the extension that needs it here; others are ignored as the RFC says.</summary>
    private async ValueTask EnableAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        if (args.AtEnd) throw ImapCommandException.Syntax("ENABLE needs at least one capability");
        var enabled = new List<string>();
        while (!args.AtEnd)
        {
            var name = args.Atom("capability").ToUpperInvariant();
            if (name == "CONDSTORE" && !_condStore)
            {
                _condStore = true;
                enabled.Add(name);
            }
        }

        _writer.Append("* ENABLED");
        foreach (var name in enabled) _writer.Append(' ').Append(name);
        _writer.Append("\r\n");
        await CompleteAsync(command, "ENABLE completed", ct);
    }
}
