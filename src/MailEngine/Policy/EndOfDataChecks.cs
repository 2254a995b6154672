using MailEngine.Control;
using MailEngine.Hosting;
using MailEngine.Store;
using MailEngine.Queue;
using MailEngine.Scanner;
using MailEngine.Smtp;
using MailEngine.Telemetry;
using Microsoft.Extensions.Logging;

namespace MailEngine.Policy;

/// <summary>
/// The checks at the end of DATA, in order: the submission's From:/Sender: headers, the spam verdict,
/// then the recipients' Sieve refusal, which sees that verdict (so a script that rejects on spamtest
/// refuses at DATA). Each gathers its facts from the spooled message and asks its decision of
/// <see cref="SenderPolicy"/> or <see cref="MessagePolicy"/>; the first that is not an accept ends it.
/// A submission that passes them all is signed last (DKIM, RFC 6376), so only accepted mail is signed.
/// </summary>
public sealed class EndOfDataChecks(
    EngineOptions options,
    EngineSnapshotStore snapshots,
    MaildirStore maildirs,
    EngineCounters counters,
    ILogger logger,
    Sieve.SieveDelivery? sieve,
    SpamScanner? scanner,
    Dkim.DkimSigning? dkim = null)
{
    public async ValueTask<PolicyDecision> RunAsync(IncomingMessage incoming, Envelope envelope, ListenerKind listener, CancellationToken ct)
    {
        var snapshot = snapshots.Current;
        incoming.Stream.Flush();
        if (envelope.AuthenticatedAs is { } user)
        {
            var headers = SenderPolicy.HeaderSenders(user, ReadSenderHeaders(incoming), snapshot.MaySendAs);
            if (!headers.Accepted) return headers;
        }

        var spam = await SpamAsync(incoming, envelope, listener, snapshot, ct);
        if (!spam.Accepted) return spam;
        var sieveRefusal = SieveRefusal(incoming, envelope, snapshot);
        if (!sieveRefusal.Accepted) return sieveRefusal;
        return Sign(incoming, envelope, snapshot);
    }

    /// <summary>
    /// Mail our users submit is signed for its From: domain when that is ours (RFC 6376 §5; one
    /// signature per key, RFC 8463 §4). A key that fails defers the message: it is never sent unsigned
    /// without anyone knowing, and the count says how often.
    /// </summary>
    private PolicyDecision Sign(IncomingMessage incoming, Envelope envelope, SnapshotIndex snapshot)
    {
        if (dkim is null || envelope.AuthenticatedAs is null) return PolicyDecision.Accept;
        try
        {
            using var read = Open(incoming);
            incoming.AddedHeaders = dkim.Sign(read, snapshot);
            return PolicyDecision.Accept;
        }
        catch (Dkim.DkimSigningException e)
        {
            logger.LogError("SMTP {QueueId}: DKIM signing failed, message deferred: {Error}", envelope.QueueId, e.Message);
            return PolicyDecision.Defer(PolicyReason.SigningFailed);
        }
    }

    private static IEnumerable<(string Field, IReadOnlyList<string>? Addresses)> ReadSenderHeaders(IncomingMessage incoming)
    {
        MimeKit.HeaderList headers;
        using (var read = Open(incoming))
        {
            try
            {
                headers = MimeKit.HeaderList.Load(read);
            }
            catch (FormatException)
            {
                return [("Message", null)];
            }
        }

        var found = new List<(string, IReadOnlyList<string>?)>();
        foreach (var field in new[] { "From", "Sender" })
        {
            foreach (var value in headers.Where(h => h.Field.Equals(field, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value))
            {
                found.Add(MimeKit.InternetAddressList.TryParse(value, out var list)
                    ? (field, list.Mailboxes.Select(m => Addressing.EmailAddress.TryParse(m.Address, out var parsed, out _) ? parsed.ToString() : m.Address).ToList())
                    : (field, null));
            }
        }

        return found;
    }

    /// <summary>
    /// Mail arriving from outside (the MX listener, not authenticated) is scanned once for its local
    /// recipients, then each recipient domain's settings decide its verdict.
    /// </summary>
    private async ValueTask<PolicyDecision> SpamAsync(IncomingMessage incoming, Envelope envelope, ListenerKind listener, SnapshotIndex snapshot, CancellationToken ct)
    {
        if (scanner is null || !options.Scanner.Enabled || listener != ListenerKind.Mx || envelope.AuthenticatedAs is not null) return PolicyDecision.Accept;
        var domains = envelope.Targets.Where(t => t.Local).Select(t => Addressing.EmailAddress.DomainOf(t.Address)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var policies = domains.Select(d => (Domain: d, Policy: snapshot.SpamPolicy("@" + d))).Where(p => p.Policy.Enabled).ToList();
        if (policies.Count == 0) return PolicyDecision.Accept;
        // The listeners open before the rules are compiled: a message that arrives meanwhile waits for
        // them (it is scanned, not waved through), and past the bound is deferred with nothing kept.
        if (!await scanner.WaitReadyAsync(options.Scanner.ReadyTimeout, ct)) return PolicyDecision.Defer(PolicyReason.ScannerNotReady);

        SpamScanResult scan;
        using (var read = Open(incoming)) scan = scanner.Scan(read);
        var verdicts = policies.ToDictionary(p => p.Domain, p => scanner.Evaluate(scan, p.Policy), StringComparer.OrdinalIgnoreCase);
        incoming.Spam = verdicts;
        var top = verdicts.Values.MaxBy(v => v.Score)!;
        counters.Scanned.Add(1, new KeyValuePair<string, object?>("action", top.Action.ToString().ToLowerInvariant()));
        var decision = MessagePolicy.Spam(verdicts, envelope.Targets.All(t => t.Local), domains.Count);
        logger.LogInformation("SMTP {QueueId} scanned: score {Score} action {Action} ({Symbols})", envelope.QueueId, top.Score, top.Action, string.Join(' ', top.Symbols.Select(s => s.Name)));
        return decision;
    }

    /// <summary>
    /// When every recipient is a local mailbox with Sieve scripts, whether they all refuse the message,
    /// with the spam verdict of the recipient's domain in hand (spamtest, RFC 5235).
    /// </summary>
    private PolicyDecision SieveRefusal(IncomingMessage incoming, Envelope envelope, SnapshotIndex snapshot)
    {
        if (sieve is null || envelope.Targets.Any(t => !t.Local)) return PolicyDecision.Accept;
        var mailboxes = envelope.Targets.Select(t => snapshot.Mailbox(t.Address)).ToList();
        if (mailboxes.Any(m => m is null || (m.SieveScript is null && m.VacationSieve is null))) return PolicyDecision.Accept;
        var refusals = new List<string?>();
        // One read and one parse of the spooled message for all the recipients' scripts.
        using var read = Open(incoming);
        var shared = Sieve.SieveMessage.Load(read, new Sieve.SieveEnvelope(envelope.Sender, "", envelope.AuthenticatedAs));
        foreach (var (target, mailbox) in envelope.Targets.Zip(mailboxes))
        {
            var message = shared.For(new Sieve.SieveEnvelope(envelope.Sender, target.OriginalRecipient, envelope.AuthenticatedAs));
            if (incoming.Spam?.GetValueOrDefault(Addressing.EmailAddress.DomainOf(target.Address)) is { } verdict) message.Spam = verdict.Spamtest();
            var refusal = sieve.Refusal(mailbox!, message, folder => maildirs.FolderExists(mailbox!.Address, folder));
            if (refusal is null) return PolicyDecision.Accept; // one recipient takes it: accept, and mail the others' refusals
            refusals.Add(refusal);
        }

        return MessagePolicy.Sieve(refusals);
    }

    private static FileStream Open(IncomingMessage incoming) =>
        new(incoming.TemporaryPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) { Position = incoming.MessageStart };
}
