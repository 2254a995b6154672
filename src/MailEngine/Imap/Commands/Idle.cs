using MailEngine.Imap.Protocol;

namespace MailEngine.Imap;

internal sealed partial class ImapSession
{
    /// <summary>
    /// IDLE (RFC 2177): "+ idling", then untagged news as it happens (a delivery, another session's
    /// expunge or flag change wakes the read through the folder's Changed event) until the client
    /// sends DONE. Anything else ends IDLE with BAD.
    /// </summary>
    private async ValueTask IdleAsync(ImapCommand command, ImapArguments args, CancellationToken ct)
    {
        args.End();
        _idling = true;
        try
        {
            _writer.Append("+ idling\r\n");
            if (_state == ImapState.Selected) await WriteUpdatesAsync(allowExpunge: true, ct);
            await _writer.FlushAsync(ct);
            while (true)
            {
                var line = await ReadLineAsync(Limits.MaxLineBytes, ct);
                if (line is null) throw new IOException("Connection closed during IDLE");
                if (line.Woken)
                {
                    if (_state == ImapState.Selected) await WriteUpdatesAsync(allowExpunge: true, ct);
                    await _writer.FlushAsync(ct);
                    continue;
                }

                _idling = false;
                if (line.Overlong || !System.Text.Encoding.ASCII.GetString(line.Bytes).Equals("DONE", StringComparison.OrdinalIgnoreCase))
                    throw ImapCommandException.Syntax("Expected DONE");
                break;
            }
        }
        finally
        {
            _idling = false;
        }

        await CompleteAsync(command, "IDLE terminated", ct);
    }
}
