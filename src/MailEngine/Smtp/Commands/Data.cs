using System.Buffers;
using System.Globalization;
using System.Text;
using MailEngine.Queue;
using Microsoft.Extensions.Logging;

namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>RFC 5321 6.3: a message that has passed this many hops is looping.</summary>
    public const int MaxReceivedHeaders = 50;

    /// <summary>
    /// DATA (RFC 5321 4.1.1.4): the message goes to the spool as it arrives; "250" is sent only after
    /// the spool file and its directory are fsync'ed. A refused message leaves nothing behind.
    /// </summary>
    private async ValueTask<SmtpReply?> DataAsync(string argument, CancellationToken ct)
    {
        if (argument.Length > 0) return SmtpReplies.Syntax("Syntax: DATA");
        if (_state is not (SmtpState.Mail or SmtpState.Recipients) || _mailFrom is null) return SmtpReplies.NeedMailBeforeData;
        if (_state == SmtpState.Mail || _targets.Count == 0) return SmtpReplies.NoValidRecipients;

        var envelope = new Envelope
        {
            QueueId = Spool.NewQueueId(),
            ReceivedAt = _services.Clock.GetUtcNow(),
            Sender = _mailFrom.Address?.ToString() ?? string.Empty,
            Targets = [.. _targets],
            ClientAddress = _remote.Address.ToString(),
            Helo = _helo,
            AuthenticatedAs = _authenticated,
            Listener = _kind.ToString().ToLowerInvariant(),
            SmtpUtf8 = _smtpUtf8,
        };

        using var incoming = _services.Spool.Begin(envelope);
        incoming.Stream.Write(ReceivedHeader(envelope));
        await ReplyAsync(SmtpReplies.StartData, ct);

        var maxBytes = Snapshot.Snapshot.Policy.MaxMessageBytes;
        var decoder = new DataDecoder(maxBytes, Limits.MaxDataLineBytes);
        var decoded = new ArrayBufferWriter<byte>(64 * 1024);
        var headers = new HeaderCounter();
        while (true)
        {
            var result = await _client.ReadAsync(_deadline.WaitUntil(Limits.DataTimeout), ct);
            var consumed = decoder.Decode(result.Buffer, decoded);
            if (decoded.WrittenCount > 0)
            {
                headers.Scan(decoded.WrittenSpan);
                await incoming.Stream.WriteAsync(decoded.WrittenMemory, ct);
                decoded.ResetWrittenCount();
            }

            _client.Reader.AdvanceTo(consumed, result.Buffer.End);
            if (decoder.Completed || decoder.Error == DataError.BareLineEnding) break;
            if (result.IsCompleted) return null; // the client went away mid-message: nothing was acknowledged
        }

        var recipients = _recipients.Count;
        ResetTransaction();
        SmtpReply? refusal = decoder.Error switch
        {
            DataError.BareLineEnding => SmtpReplies.BareLineEnding(HostName),
            DataError.TooLarge => SmtpReplies.MessageTooBig(maxBytes),
            DataError.LineTooLong => SmtpReplies.DataLineTooLong(Limits.MaxDataLineBytes),
            _ when headers.Received > MaxReceivedHeaders => SmtpReplies.MailLoop,
            _ => null,
        };
        if (refusal is not null)
        {
            // Bare line endings make the end of the message ambiguous (SMTP smuggling): stop reading from this client.
            if (decoder.Error == DataError.BareLineEnding) _state = SmtpState.Closing;
            _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", decoder.Error == DataError.None ? "loop" : decoder.Error.ToString().ToLowerInvariant()));
            _services.Logger.LogInformation("SMTP {QueueId} refused from {Remote}: {Reply}", envelope.QueueId, _remote.Address, refusal.ToString());
            return refusal;
        }

        // The end-of-DATA policy (sender headers, spam verdict, Sieve refusal): nothing is kept unless it accepts.
        var decision = await _services.EndOfData.RunAsync(incoming, envelope, _kind, ct, headers.AuthenticationResults);
        if (!decision.Accepted)
        {
            _services.Logger.LogInformation("SMTP {QueueId} refused from {Remote}: {Reason} {Detail}", envelope.QueueId, _remote.Address, decision.Label, decision.Detail);
            return Decided(decision);
        }

        incoming.Commit();
        _services.Counters.Accepted.Add(1, new KeyValuePair<string, object?>("listener", envelope.Listener));
        _services.Logger.LogInformation(
            "SMTP {QueueId} accepted from {Remote} helo={Helo} auth={Auth} sender=<{Sender}> recipients={Recipients} targets={Targets} size={Size}",
            envelope.QueueId, _remote.Address, _helo, _authenticated ?? "-", envelope.Sender, recipients, envelope.Targets.Count, decoder.MessageBytes);
        _services.Delivery.Enqueue(envelope.QueueId);
        return SmtpReplies.Queued(envelope.QueueId);
    }

    private byte[] ReceivedHeader(Envelope envelope)
    {
        var protocol = (_extended ? "ESMTP" : "SMTP") + (_client.Tls ? "S" : "") + (_authenticated is not null ? "A" : "");
        if (_smtpUtf8) protocol = "UTF8" + protocol; // RFC 6531 3.7.3
        var forClause = envelope.Targets.Count == 1 && _recipients.Count == 1 ? $"\r\n\tfor <{_recipients[0]}>" : "";
        var date = envelope.ReceivedAt.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var helo = Sanitize(_helo ?? "unknown");
        return Encoding.UTF8.GetBytes(
            $"Received: from {helo} ([{_remote.Address}])\r\n\tby {HostName} with {protocol} id {envelope.QueueId}{forClause};\r\n\t{date}\r\n");
    }

    private static string Sanitize(string text) => new(text.Where(c => c > ' ' && c != '(' && c != ')' && c < 127).Take(255).ToArray());

    /// <summary>
    /// Counts the Received fields (a loop) and the Authentication-Results fields (which the checks
    /// look at only when there is one) in the header section as it streams past.
    /// </summary>
    private sealed class HeaderCounter
    {
        private static readonly byte[][] Names = ["received:"u8.ToArray(), "authentication-results:"u8.ToArray()];
        private readonly int[] _matched = new int[Names.Length];
        private readonly int[] _counts = new int[Names.Length];
        private bool _inBody;
        private bool _atLineStart = true;

        public int Received => _counts[0];
        public int AuthenticationResults => _counts[1];

        public void Scan(ReadOnlySpan<byte> bytes)
        {
            for (var i = 0; i < bytes.Length && !_inBody; i++)
            {
                var b = bytes[i];
                if (_atLineStart && b == (byte)'\r') { _inBody = true; break; }
                if (b == (byte)'\n') { _atLineStart = true; Array.Clear(_matched); continue; }
                var lineStart = _atLineStart;
                _atLineStart = false;
                for (var n = 0; n < Names.Length; n++)
                {
                    if (!lineStart && _matched[n] <= 0) { _matched[n] = -1; continue; }
                    var name = Names[n];
                    if (_matched[n] >= 0 && _matched[n] < name.Length && (b | 0x20) == name[_matched[n]])
                    {
                        if (++_matched[n] == name.Length) { _counts[n]++; _matched[n] = -1; }
                    }
                    else
                    {
                        _matched[n] = -1;
                    }
                }
            }
        }
    }
}
