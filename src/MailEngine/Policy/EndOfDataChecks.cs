using System.Net;
using MailEngine.Auth;
using MailEngine.Contracts;
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
/// The checks at the end of DATA, in order: the submission's From:/Sender: headers, inbound
/// authentication (SPF, DKIM, DMARC: once, for mail from outside), the spam verdict (which counts the
/// authentication results as symbols), then the recipients' Sieve refusal, which sees that verdict
/// (so a script that rejects on spamtest refuses at DATA). Each gathers its facts from the spooled message and asks its decision of
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
    Dkim.DkimSigning? dkim = null,
    MessageAuthentication? authentication = null,
    Auth.Dmarc.Reports.DmarcObservationStore? observations = null,
    TimeProvider? clock = null,
    Reports.ReportIntake? reports = null)
{
    /// <param name="authenticationResultsFields">How many Authentication-Results fields the message came with (Data counts them as it streams).</param>
    public async ValueTask<PolicyDecision> RunAsync(IncomingMessage incoming, Envelope envelope, ListenerKind listener, CancellationToken ct, int authenticationResultsFields = 0)
    {
        var snapshot = snapshots.Current;
        incoming.Stream.Flush();
        if (envelope.AuthenticatedAs is { } user)
        {
            var headers = SenderPolicy.HeaderSenders(user, ReadSenderHeaders(incoming), snapshot.MaySendAs);
            if (!headers.Accepted) return headers;
        }

        var report = await AuthenticateAsync(incoming, envelope, listener, snapshot, ct);
        var recipientDomains = RecipientDomains(envelope, t => t.OriginalRecipient);
        var dmarc = MessagePolicy.Dmarc(report?.Dmarc, recipientDomains.Select(d => Enforcement(snapshot, d, report)).ToList());
        if (report is not null) Observe(report, envelope, recipientDomains, snapshot, dmarc.Accepted);
        if (!dmarc.Accepted) return dmarc;
        if (report is { Dmarc.Result: Auth.Dmarc.DmarcResult.Fail, Arc: { } arc } && recipientDomains.Any(d => ArcTrusted(snapshot, d, report)))
            logger.LogInformation("SMTP {QueueId}: DMARC fails for {From}, but {Sealer}'s ARC seal, which a recipient domain trusts, says it passed there", envelope.QueueId, report.Dmarc.FromDomain, arc.NewestSealer);

        // RFC 8601 §5: a result claiming to be ours that we did not write is removed (after DKIM has seen the message as sent).
        if (authenticationResultsFields > 0)
        {
            var removed = incoming.RemoveHeaderFields((name, value) =>
                name.Equals(AuthenticationReport.FieldName, StringComparison.OrdinalIgnoreCase) && AuthservIdOf(value).Equals(options.HostName, StringComparison.OrdinalIgnoreCase));
            if (removed > 0) logger.LogInformation("SMTP {QueueId}: removed {Count} Authentication-Results field(s) claiming to be {Host}'s", envelope.QueueId, removed, options.HostName);
        }

        if (report is not null) incoming.AddedHeaders = System.Text.Encoding.UTF8.GetBytes(report.HeaderField);

        var spam = await SpamAsync(incoming, envelope, listener, snapshot, report, ct);
        if (!spam.Accepted) return spam;
        var sieveRefusal = SieveRefusal(incoming, envelope, snapshot);
        if (!sieveRefusal.Accepted) return sieveRefusal;
        var signed = Sign(incoming, envelope, snapshot);
        // A report to one of our report addresses is read as it is accepted (from outside only: our own users send none).
        if (signed.Accepted && reports is not null && listener == ListenerKind.Mx && Reports.ReportIntake.ReportRecipient(envelope, snapshot) is { } recipient)
        {
            using var read = Open(incoming);
            reports.Take(envelope.QueueId, recipient, read);
        }

        return signed;
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
    private async ValueTask<PolicyDecision> SpamAsync(IncomingMessage incoming, Envelope envelope, ListenerKind listener, SnapshotIndex snapshot, AuthenticationReport? report, CancellationToken ct)
    {
        if (listener != ListenerKind.Mx || envelope.AuthenticatedAs is not null) return PolicyDecision.Accept;
        var domains = RecipientDomains(envelope.Targets.Where(t => t.Local), t => t.Address);
        var scanning = scanner is not null && options.Scanner.Enabled;
        var policies = domains.Select(d => (Domain: d, Policy: snapshot.SpamPolicy("@" + d))).Where(p => scanning && p.Policy.Enabled).ToList();
        // DMARC quarantine goes to Junk for a domain that acts on it, scanned or not.
        var quarantined = domains.Where(d => MessagePolicy.DmarcQuarantines(report?.Dmarc, Enforcement(snapshot, d, report))).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (policies.Count == 0 && quarantined.Count == 0) return PolicyDecision.Accept;

        var scan = new SpamScanResult([], null);
        if (policies.Count > 0)
        {
            // The listeners open before the rules are compiled: a message that arrives meanwhile waits for
            // them (it is scanned, not waved through), and past the bound is deferred with nothing kept.
            if (!await scanner!.WaitReadyAsync(options.Scanner.ReadyTimeout, ct)) return PolicyDecision.Defer(PolicyReason.ScannerNotReady);
            using var read = Open(incoming);
            scan = scanner.Scan(read);
        }

        // The authentication symbols are each domain's: one that trusts the forwarder's ARC seal scores ARC_TRUSTED, not DMARC's policy.
        SpamScanResult ScanFor(string domain) => report is null ? scan : scan with { Symbols = [.. scan.Symbols, .. report.SymbolsFor(ArcTrusted(snapshot, domain, report))] };
        var verdicts = new Dictionary<string, SpamVerdict>(StringComparer.OrdinalIgnoreCase);
        foreach (var (domain, policy) in policies) verdicts[domain] = scanner!.Evaluate(ScanFor(domain), policy);
        foreach (var domain in quarantined)
        {
            var verdict = verdicts.GetValueOrDefault(domain)
                ?? SpamVerdict.Evaluate(scan with { Symbols = report!.Symbols }, snapshot.SpamPolicy("@" + domain), Scanner.AuthenticationSymbol.Scores);
            verdicts[domain] = verdict.Junked();
        }

        incoming.Spam = verdicts;
        if (policies.Count == 0) return PolicyDecision.Accept;
        var top = verdicts.Values.MaxBy(v => v.Score)!;
        counters.Scanned.Add(1, new KeyValuePair<string, object?>("action", top.Action.ToString().ToLowerInvariant()));
        var decision = MessagePolicy.Spam(verdicts.Where(v => policies.Any(p => p.Domain.Equals(v.Key, StringComparison.OrdinalIgnoreCase))).ToDictionary(), envelope.Targets.All(t => t.Local), domains.Count);
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

    /// <summary>
    /// SPF, DKIM, DMARC and ARC for mail from outside: the MX listener, not authenticated, not from a
    /// trusted network (those are our own hosts and users, whose mail is not asked to prove itself).
    /// </summary>
    private async ValueTask<AuthenticationReport?> AuthenticateAsync(IncomingMessage incoming, Envelope envelope, ListenerKind listener, SnapshotIndex snapshot, CancellationToken ct)
    {
        if (authentication is null || !options.InboundAuthentication || listener != ListenerKind.Mx || envelope.AuthenticatedAs is not null) return null;
        if (!IPAddress.TryParse(envelope.ClientAddress, out var client) || snapshot.IsTrusted(client)) return null;
        using var read = Open(incoming);
        MimeKit.MimeMessage message;
        try
        {
            message = MessageAuthentication.Load(read);
        }
        catch (FormatException)
        {
            message = new MimeKit.MimeMessage(); // no header section to read: no signatures, no author (DMARC permerror)
        }

        var report = await authentication.CheckAsync(options.HostName, client, envelope.Helo ?? "", envelope.Sender, message, ct);
        counters.Authentication.Add(1, new KeyValuePair<string, object?>("result", report.Dmarc?.Keyword ?? "none"));
        logger.LogInformation("SMTP {QueueId} authentication: {Results}", envelope.QueueId, report.HeaderValue);
        return report;
    }

    /// <summary>
    /// Records the DMARC evaluation for the aggregate report its sender asked for (RFC 7489 §7.2), with
    /// what we did: refused, Junked for at least one recipient domain, or delivered, and why we did less
    /// than the policy asked when we did.
    /// </summary>
    private void Observe(AuthenticationReport report, Envelope envelope, List<string> recipientDomains, SnapshotIndex snapshot, bool accepted)
    {
        if (observations is null) return;
        var applied = !accepted ? Auth.Dmarc.DmarcPolicy.Reject
            : recipientDomains.Any(d => MessagePolicy.DmarcQuarantines(report.Dmarc, Enforcement(snapshot, d, report))) ? Auth.Dmarc.DmarcPolicy.Quarantine
            : Auth.Dmarc.DmarcPolicy.None;
        var sealer = recipientDomains.Any(d => ArcTrusted(snapshot, d, report)) ? report.Arc?.NewestSealer : null;
        var observation = Auth.Dmarc.Reports.DmarcObservations.Of(report, envelope.ClientAddress ?? "", recipientDomains.FirstOrDefault() ?? "", applied, sealer, (clock ?? TimeProvider.System).GetUtcNow());
        if (observation is null) return;
        try
        {
            observations.Record(observation);
        }
        catch (IOException e)
        {
            // A report short of a message is no reason to refuse the message.
            logger.LogWarning("SMTP {QueueId}: the DMARC observation could not be recorded: {Error}", envelope.QueueId, e.Message);
        }
    }

    /// <summary>
    /// A domain's DMARC handling for this message: its setting, except that a forwarder it trusts whose
    /// ARC seal says DMARC passed on arrival (RFC 8617 §7.2; RFC 7489's trusted_forwarder override)
    /// leaves the failure recorded but not acted on.
    /// </summary>
    private static DmarcEnforcement Enforcement(SnapshotIndex snapshot, string domain, AuthenticationReport? report) =>
        ArcTrusted(snapshot, domain, report) ? DmarcEnforcement.Monitor : snapshot.Domain(domain)?.Dmarc ?? DmarcEnforcement.Enforce;

    private static bool ArcTrusted(SnapshotIndex snapshot, string domain, AuthenticationReport? report) =>
        report?.Arc is { } arc && arc.Vouches(snapshot.Domain(domain)?.TrustedArcSealers);

    /// <summary>The authserv-id an Authentication-Results value begins with (RFC 8601 §2.2), comments and version skipped.</summary>
    internal static string AuthservIdOf(string value)
    {
        var text = value.TrimStart();
        while (text.StartsWith('('))
        {
            var close = text.IndexOf(')');
            text = close < 0 ? "" : text[(close + 1)..].TrimStart();
        }

        var end = text.IndexOfAny([';', ' ', '\t', '(']);
        return (end < 0 ? text : text[..end]).Trim().Trim('"');
    }

    private static List<string> RecipientDomains(IEnumerable<DeliveryTarget> targets, Func<DeliveryTarget, string> address) =>
        targets.Select(t => Addressing.EmailAddress.DomainOf(address(t))).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    private static List<string> RecipientDomains(Envelope envelope, Func<DeliveryTarget, string> address) => RecipientDomains(envelope.Targets, address);

    private static FileStream Open(IncomingMessage incoming) =>
        new(incoming.TemporaryPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) { Position = incoming.MessageStart };
}
