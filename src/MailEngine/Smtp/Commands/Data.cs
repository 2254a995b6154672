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
        if (argument.Length > 0) return SmtpReply.Syntax("Syntax: DATA");
        if (_mailFrom is null) return new SmtpReply(503, "5.5.1", "Need MAIL before DATA");
        if (_targets.Count == 0) return new SmtpReply(554, "5.5.1", "No valid recipients");

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
        await ReplyAsync(new SmtpReply(354, null, "End data with <CR><LF>.<CR><LF>"), ct);

        var maxBytes = Snapshot.Snapshot.Policy.MaxMessageBytes;
        var decoder = new DataDecoder(maxBytes, Limits.MaxDataLineBytes);
        var decoded = new ArrayBufferWriter<byte>(64 * 1024);
        var headers = new HeaderCounter();
        while (true)
        {
            var result = await ReadUntilAsync(_deadline.WaitUntil(Limits.DataTimeout), ct);
            var consumed = decoder.Decode(result.Buffer, decoded);
            if (decoded.WrittenCount > 0)
            {
                headers.Scan(decoded.WrittenSpan);
                await incoming.Stream.WriteAsync(decoded.WrittenMemory, ct);
                decoded.ResetWrittenCount();
            }

            _reader.AdvanceTo(consumed, result.Buffer.End);
            if (decoder.Completed || decoder.Error == DataError.BareLineEnding) break;
            if (result.IsCompleted) return null; // the client went away mid-message: nothing was acknowledged
        }

        var recipients = _recipients.Count;
        ResetTransaction();
        SmtpReply? refusal = decoder.Error switch
        {
            DataError.BareLineEnding => new SmtpReply(521, "5.5.2", $"{HostName} Bare <CR> or <LF> in message data is not allowed; closing connection"),
            DataError.TooLarge => new SmtpReply(552, "5.3.4", $"Message size exceeds fixed maximum message size ({maxBytes.ToString(CultureInfo.InvariantCulture)} bytes)"),
            DataError.LineTooLong => new SmtpReply(500, "5.5.2", $"Message has a line longer than {Limits.MaxDataLineBytes.ToString(CultureInfo.InvariantCulture)} octets"),
            _ when headers.Received > MaxReceivedHeaders => new SmtpReply(554, "5.4.6", "Too many hops: mail loop detected"),
            _ => null,
        };
        if (refusal is not null)
        {
            // Bare line endings make the end of the message ambiguous (SMTP smuggling): stop reading from this client.
            if (decoder.Error == DataError.BareLineEnding) _quit = true;
            _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", decoder.Error == DataError.None ? "loop" : decoder.Error.ToString().ToLowerInvariant()));
            _services.Logger.LogInformation("SMTP {QueueId} refused from {Remote}: {Reply}", envelope.QueueId, _remote.Address, refusal.ToString());
            return refusal;
        }

        if (_authenticated is not null && ForgedAuthorHeader(incoming) is { } forged)
        {
            _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "sender-header"));
            _services.Logger.LogInformation("SMTP {QueueId} refused from {Remote}: {Auth} may not send as {Forged}", envelope.QueueId, _remote.Address, _authenticated, forged);
            return new SmtpReply(553, "5.7.1", forged);
        }

        if (SieveRefusal(incoming, envelope) is { } reason)
        {
            // Every recipient's filter refuses it: say so now (RFC 5429 2.1), and nothing is queued.
            _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "sieve"));
            _services.Logger.LogInformation("SMTP {QueueId} refused from {Remote} by the recipients' Sieve filters", envelope.QueueId, _remote.Address);
            return new SmtpReply(550, "5.7.1", OneLine(reason));
        }

        if (SpamCheck(incoming, envelope) is { } spamRefusal) return spamRefusal;

        incoming.Commit();
        _services.Counters.Accepted.Add(1, new KeyValuePair<string, object?>("listener", envelope.Listener));
        _services.Logger.LogInformation(
            "SMTP {QueueId} accepted from {Remote} helo={Helo} auth={Auth} sender=<{Sender}> recipients={Recipients} targets={Targets} size={Size}",
            envelope.QueueId, _remote.Address, _helo, _authenticated ?? "-", envelope.Sender, recipients, envelope.Targets.Count, decoder.MessageBytes);
        _services.Delivery.Enqueue(envelope.QueueId);
        return new SmtpReply(250, "2.0.0", $"Ok: queued as {envelope.QueueId}");
    }

    /// <summary>
    /// On submission the From: and Sender: header addresses, like the envelope sender, must be ones
    /// the user may send as (RFC 6409 8.1 lets the server refuse what it would not sign for):
    /// otherwise an authenticated user could mail "The CEO" &lt;ceo@...&gt; to anyone. Returns the
    /// refusal text naming the header, or null.
    /// </summary>
    private string? ForgedAuthorHeader(Queue.IncomingMessage incoming)
    {
        incoming.Stream.Flush();
        MimeKit.HeaderList headers;
        using (var read = new FileStream(incoming.TemporaryPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) { Position = incoming.MessageStart })
        {
            try
            {
                headers = MimeKit.HeaderList.Load(read);
            }
            catch (FormatException)
            {
                return "Message header cannot be parsed";
            }
        }

        foreach (var field in new[] { "From", "Sender" })
        {
            foreach (var value in headers.Where(h => h.Field.Equals(field, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value))
            {
                if (!MimeKit.InternetAddressList.TryParse(value, out var list)) return $"{field}: header cannot be parsed";
                foreach (var mailbox in list.Mailboxes)
                {
                    var address = Addressing.EmailAddress.TryParse(mailbox.Address, out var parsed, out _) ? parsed.ToString() : mailbox.Address;
                    if (!Snapshot.MaySendAs(_authenticated!, address))
                        return $"{field}: header address <{SmtpReply.Quote(address)}> not owned by {_authenticated}";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The reason to refuse at DATA when every recipient is a local mailbox whose Sieve scripts
    /// reject the message; null otherwise (then a refusal, if any, is mailed after delivery).
    /// </summary>
    private string? SieveRefusal(Queue.IncomingMessage incoming, Queue.Envelope envelope)
    {
        if (_services.Sieve is null || envelope.Targets.Any(t => !t.Local)) return null;
        var mailboxes = envelope.Targets.Select(t => Snapshot.Mailbox(t.Address)).ToList();
        if (mailboxes.Any(m => m is null || (m.SieveScript is null && m.VacationSieve is null))) return null;
        incoming.Stream.Flush();
        string? reason = null;
        foreach (var (target, mailbox) in envelope.Targets.Zip(mailboxes))
        {
            using var read = new FileStream(incoming.TemporaryPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) { Position = incoming.MessageStart };
            var message = Sieve.SieveMessage.Load(read, new Sieve.SieveEnvelope(envelope.Sender, target.OriginalRecipient, envelope.AuthenticatedAs));

            var refusal = _services.Sieve.Refusal(mailbox!, message, folder => _services.Maildirs.FolderExists(mailbox!.Address, folder));
            if (refusal is null) return null;
            reason ??= refusal;
        }

        return reason;
    }

    /// <summary>
    /// Scans mail arriving from outside (the MX listener, not authenticated) for its local recipients:
    /// one scan, then each recipient domain's settings decide its score. When every recipient is
    /// local and every one of their domains says reject, the reply is 550 5.7.1 and nothing is
    /// queued; otherwise the verdicts go with the message for delivery (headers, Junk).
    /// </summary>
    private SmtpReply? SpamCheck(Queue.IncomingMessage incoming, Queue.Envelope envelope)
    {
        if (_services.Scanner is not { } scanner || !_services.Options.Scanner.Enabled || _kind != ListenerKind.Mx || envelope.AuthenticatedAs is not null) return null;
        var domains = envelope.Targets.Where(t => t.Local).Select(t => Addressing.EmailAddress.DomainOf(t.Address)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var policies = domains.Select(d => (Domain: d, Policy: Snapshot.SpamPolicy("@" + d))).Where(p => p.Policy.Enabled).ToList();
        if (policies.Count == 0) return null;
        incoming.Stream.Flush();
        Scanner.SpamScanResult scan;
        using (var read = new FileStream(incoming.TemporaryPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) { Position = incoming.MessageStart })
            scan = scanner.Scan(read);
        var verdicts = policies.ToDictionary(p => p.Domain, p => scanner.Evaluate(scan, p.Policy), StringComparer.OrdinalIgnoreCase);
        incoming.Spam = verdicts;
        var top = verdicts.Values.MaxBy(v => v.Score)!;
        _services.Counters.Scanned.Add(1, new KeyValuePair<string, object?>("action", top.Action.ToString().ToLowerInvariant()));
        if (envelope.Targets.All(t => t.Local) && domains.Count == verdicts.Count && verdicts.Values.All(v => v.Action == Scanner.SpamAction.Reject))
        {
            _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "spam"));
            _services.Logger.LogInformation("SMTP {QueueId} refused from {Remote} as spam: score {Score} ({Symbols})", envelope.QueueId, _remote.Address, top.Score, string.Join(' ', top.Symbols.Select(s => s.Name)));
            return new SmtpReply(550, "5.7.1", $"Message refused as spam (score {top.Score.ToString("0.0", CultureInfo.InvariantCulture)})");
        }

        _services.Logger.LogInformation("SMTP {QueueId} scanned: score {Score} action {Action} ({Symbols})", envelope.QueueId, top.Score, top.Action, string.Join(' ', top.Symbols.Select(s => s.Name)));
        return null;
    }

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length == 0 ? "Rejected by the recipient's filter" : line.Length > 400 ? line[..400] : line;
    }

    /// <summary>The trace header (RFC 5321 4.4) with the protocol keyword of RFC 3848 (ESMTP, ESMTPS, ESMTPSA).</summary>
    private byte[] ReceivedHeader(Envelope envelope)
    {
        var protocol = (_extended ? "ESMTP" : "SMTP") + (_tls ? "S" : "") + (_authenticated is not null ? "A" : "");
        if (_smtpUtf8) protocol = "UTF8" + protocol; // RFC 6531 3.7.3
        var forClause = envelope.Targets.Count == 1 && _recipients.Count == 1 ? $"\r\n\tfor <{_recipients[0]}>" : "";
        var date = envelope.ReceivedAt.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var helo = Sanitize(_helo ?? "unknown");
        return Encoding.UTF8.GetBytes(
            $"Received: from {helo} ([{_remote.Address}])\r\n\tby {HostName} with {protocol} id {envelope.QueueId}{forClause};\r\n\t{date}\r\n");
    }

    private static string Sanitize(string text) => new(text.Where(c => c > ' ' && c != '(' && c != ')' && c < 127).Take(255).ToArray());

    /// <summary>Counts Received headers in the header section of the message as it streams past.</summary>
    private sealed class HeaderCounter
    {
        private bool _inBody;
        private bool _atLineStart = true;
        private int _matched;
        private static ReadOnlySpan<byte> Name => "received:"u8;

        public int Received { get; private set; }

        public void Scan(ReadOnlySpan<byte> bytes)
        {
            for (var i = 0; i < bytes.Length && !_inBody; i++)
            {
                var b = bytes[i];
                if (_atLineStart && b == (byte)'\r') { _inBody = true; break; }
                if (b == (byte)'\n') { _atLineStart = true; _matched = 0; continue; }
                if (_atLineStart || _matched > 0)
                {
                    _atLineStart = false;
                    if (_matched >= 0 && _matched < Name.Length && (b | 0x20) == Name[_matched])
                    {
                        if (++_matched == Name.Length) { Received++; _matched = -1; }
                    }
                    else
                    {
                        _matched = -1;
                    }
                }
            }
        }
    }
}
