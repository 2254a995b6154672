using System.Globalization;
using System.Text;
using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Store;
using MailEngine.Queue;
using MailEngine.Sieve;
using MimeKit;
using Microsoft.Extensions.Logging;

namespace MailEngine.Delivery;

/// <summary>The result of delivering one copy.</summary>
public sealed record DeliveryResult(bool Delivered, bool Permanent, string Status, string Detail)
{
    public static DeliveryResult Ok(string detail) => new(true, false, "2.0.0", detail);
    public static DeliveryResult Temporary(string status, string detail) => new(false, false, status, detail);
    public static DeliveryResult Failed(string status, string detail) => new(false, true, status, detail);
}

/// <summary>A message a delivery causes to be sent (a vacation reply, a redirect, a Sieve refusal), for the queue.</summary>
/// <param name="ForwardedFor">The mailbox a redirect forwards for: the copy's original recipient, so that a
/// foreign sender is rewritten by SRS for it (<see cref="Control.SnapshotIndex.ForwardingSender"/>); null otherwise.</param>
public sealed record OutgoingMessage(string Sender, string Recipient, byte[] Content, string Kind, string? ForwardedFor = null);

/// <summary>
/// Delivers into a local mailbox's Maildir, adding Return-Path and Delivered-To (RFC 5321 4.4,
/// as Dovecot's LDA does), after the mailbox's Sieve scripts decided where (<see cref="SieveDelivery"/>):
/// keep (INBOX), fileinto (a folder, made with :create; INBOX if it does not exist), imap4flags as
/// Maildir flags, redirect, reject, discard and vacation, whose messages are returned to the queue.
/// Quota is checked against every copy stored; crossing 80% and 95% of the quota sends the user one
/// warning each (the seed's Dovecot quota_warning settings).
/// </summary>
public sealed class LocalDelivery(MaildirStore maildirs, MailFolderRegistry folders, SieveDelivery sieve, string hostName, TimeProvider clock, ILogger logger)
{

    public SieveDelivery Sieve => sieve;

    /// <param name="maySendAs">Whether the mailbox may send as an address (a vacation :from must be one).</param>
    public DeliveryResult Deliver(Envelope envelope, DeliveryTarget target, SnapshotMailbox? mailbox, Stream message, List<OutgoingMessage> outgoing, Func<string, bool>? maySendAs = null)
    {
        if (mailbox is null) return DeliveryResult.Failed("5.1.1", $"{target.Address}: no such mailbox here any more");
        if (!mailbox.Enabled) return DeliveryResult.Failed("5.2.1", $"{target.Address}: mailbox disabled");

        message.Position = 0;
        var parsed = SieveMessage.Load(message, new SieveEnvelope(envelope.Sender, target.OriginalRecipient, envelope.AuthenticatedAs));
        // The verdict under this recipient's domain (decided at DATA): spamtest for the before-script, headers on the stored copy.
        var spam = envelope.Spam?.GetValueOrDefault(Addressing.EmailAddress.DomainOf(mailbox.Address));
        parsed.Spam = spam?.Spamtest();

        var aliases = target.OriginalRecipient.Equals(mailbox.Address, StringComparison.OrdinalIgnoreCase) ? [] : new[] { target.OriginalRecipient };
        var actions = sieve.Plan(mailbox, aliases, parsed, folder => maildirs.FolderExists(mailbox.Address, folder), maySendAs);

        var before = maildirs.Usage(mailbox.Address);
        var prefix = Encoding.UTF8.GetBytes($"Return-Path: <{envelope.Sender}>\r\nDelivered-To: {mailbox.Address}\r\n{spam?.HeaderLines()}");
        var size = prefix.Length + message.Length;
        var stores = actions.Count(a => a is KeepAction or FileIntoAction);
        // RFC 3463 4.2.2: mailbox full is temporary; the user may make room before the message expires.
        if (stores > 0 && before + size * stores > mailbox.QuotaBytes) return DeliveryResult.Temporary("4.2.2", $"{target.Address}: mailbox full");

        var done = new List<string>();
        var stored = new HashSet<string>(StringComparer.Ordinal);
        long written = 0;
        foreach (var action in actions)
        {
            switch (action)
            {
                case KeepAction keep:
                    written += Store("INBOX", keep.Flags);
                    break;
                case FileIntoAction file:
                    var folder = file.Folder;
                    if (!maildirs.FolderExists(mailbox.Address, folder))
                    {
                        if (file.Create && IsValidFolder(folder)) MaildirStore.EnsureFolder(maildirs.FolderPath(mailbox.Address, folder));
                        else folder = "INBOX"; // as Dovecot's LDA without lda_mailbox_autocreate: never lost
                    }

                    written += Store(folder, file.Flags);
                    break;
                case RedirectAction redirect:
                    // Loop safety: a message that already passed through this mailbox is not sent on again.
                    if (parsed.Message.Headers.Any(h => h.Field.Equals("Delivered-To", StringComparison.OrdinalIgnoreCase) && h.Value.Trim().Equals(mailbox.Address, StringComparison.OrdinalIgnoreCase)))
                    {
                        logger.LogWarning("Sieve redirect of {QueueId} from {Address} to {Target} refused: the message has been here before", envelope.QueueId, mailbox.Address, redirect.Address);
                        written += Store("INBOX", []);
                        break;
                    }

                    message.Position = 0;
                    using (var copy = new MemoryStream())
                    {
                        copy.Write(Encoding.UTF8.GetBytes($"Delivered-To: {mailbox.Address}\r\n"));
                        message.CopyTo(copy);
                        outgoing.Add(new OutgoingMessage(envelope.Sender, redirect.Address, copy.ToArray(), "redirect", ForwardedFor: mailbox.Address));
                    }

                    done.Add("redirected to " + redirect.Address);
                    break;
                case RejectAction reject:
                    // Accepted already (another recipient took it): RFC 5429 asks for an MDN for reject
                    // (2.2.1) and a DSN for ereject (2.1.1), to the envelope sender; never to the null sender.
                    if (envelope.Sender.Length > 0)
                        outgoing.Add(new OutgoingMessage(string.Empty, envelope.Sender, reject.Extended
                            ? DeliveryStatusNotification.Build(envelope, [(target, DeliveryResult.Failed("5.7.1", $"rejected by the recipient's filter: {reject.Reason}"))], message, hostName, clock.GetUtcNow())
                            : DispositionNotification.BuildRejection(parsed.Message, envelope.Sender, mailbox.Address, reject.Reason, hostName, clock.GetUtcNow()),
                            reject.Extended ? "sieve-ereject" : "sieve-reject"));
                    done.Add("rejected");
                    break;
                case VacationAction vacation:
                    outgoing.Add(new OutgoingMessage(string.Empty, vacation.To, Reply(vacation, parsed.Message), "vacation"));
                    done.Add("vacation reply to " + vacation.To);
                    break;
                case DiscardAction:
                    done.Add("discarded");
                    break;
            }
        }

        foreach (var percent in QuotaThresholds.WarningPercents)
        {
            var threshold = mailbox.QuotaBytes * percent / 100;
            if (before < threshold && before + written >= threshold) SendQuotaWarning(mailbox, percent, before + written);
        }

        return DeliveryResult.Ok($"{mailbox.Address}: {string.Join(", ", done)}");

        long Store(string folder, IReadOnlyList<string> flags)
        {
            if (!stored.Add(folder)) return 0;
            message.Position = 0;
            var length = maildirs.Deliver(mailbox.Address, folder, prefix, message, MaildirInfo(mailbox.Address, folder, flags));
            done.Add($"{folder} ({length} bytes)");
            return length;
        }
    }

    private static bool IsValidFolder(string folder)
    {
        try
        {
            MailAccount.Validate(folder);
            return true;
        }
        catch (Imap.Protocol.ImapCommandException)
        {
            return false;
        }
    }

    /// <summary>
    /// imap4flags' flags as the Maildir info part: system flags as letters, keywords as the folder's
    /// a..z letters (numbered in its dovecot-keywords file, through the IMAP folder so sessions agree).
    /// </summary>
    private string MaildirInfo(string address, string folder, IReadOnlyList<string> flags)
    {
        // Names that are not valid IMAP flags cannot be stored and are left out.
        var (system, passed, keywords, _) = MessageFlagNames.Classify(flags);
        uint mask = 0;
        if (keywords.Count > 0)
        {
            var open = folders.Acquire(address, folder);
            try
            {
                mask = open.KeywordMask(keywords, create: true);
            }
            catch (Imap.Protocol.ImapCommandException)
            {
                logger.LogInformation("Keywords {Keywords} not kept for {Address}/{Folder}: the folder has 26 already", string.Join(' ', keywords), address, folder);
            }
            finally
            {
                folders.Release(open);
            }
        }

        return system == MessageFlags.None && mask == 0 && !passed ? string.Empty : MessageFlagNames.MaildirInfo(system, mask, passed);
    }

    /// <summary>A vacation reply (RFC 5230 5, RFC 3834): threaded to the original, marked auto-replied.</summary>
    private byte[] Reply(VacationAction vacation, MimeMessage original)
    {
        var reply = new MimeMessage();
        reply.From.Add(MailboxAddress.TryParse(vacation.From, out var from) ? from : new MailboxAddress(string.Empty, vacation.From));
        reply.To.Add(MailboxAddress.Parse(vacation.To));
        reply.Subject = vacation.Subject;
        reply.Date = clock.GetUtcNow();
        reply.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(hostName);
        if (vacation.InReplyTo is not null) reply.Headers.Add(HeaderId.InReplyTo, vacation.InReplyTo);
        if (vacation.References is not null) reply.Headers.Add(HeaderId.References, vacation.References);
        reply.Headers.Add("Auto-Submitted", "auto-replied"); // RFC 3834 5.1
        if (vacation.Mime)
        {
            try
            {
                reply.Body = MimeEntity.Load(new MemoryStream(Encoding.UTF8.GetBytes(vacation.Reason)));
            }
            catch (FormatException)
            {
                reply.Body = new TextPart("plain") { Text = vacation.Reason };
            }
        }
        else
        {
            reply.Body = new TextPart("plain") { Text = vacation.Reason };
        }

        return Serialize(reply);
    }

    private static byte[] Serialize(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(FormatOptions.Default, stream);
        return stream.ToArray();
    }

    private void SendQuotaWarning(SnapshotMailbox mailbox, int percent, long used)
    {
        var now = clock.GetUtcNow();
        var text = new StringBuilder()
            .Append("Return-Path: <>\r\n")
            .Append("Delivered-To: ").Append(mailbox.Address).Append("\r\n")
            .Append("From: Mail system <postmaster@").Append(hostName).Append(">\r\n")
            .Append("To: <").Append(mailbox.Address).Append(">\r\n")
            .Append("Subject: Your mailbox is ").Append(percent).Append("% full\r\n")
            .Append("Date: ").Append(now.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Message-ID: <quota-").Append(percent).Append('.').Append(now.ToUnixTimeMilliseconds()).Append('@').Append(hostName).Append(">\r\n")
            .Append("Auto-Submitted: auto-generated\r\n") // RFC 3834: never answered by vacation responders
            .Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
            .Append("Your mailbox ").Append(mailbox.Address).Append(" uses ").Append(FormatBytes(used)).Append(" of its ")
            .Append(FormatBytes(mailbox.QuotaBytes)).Append(" quota (").Append(percent).Append("%).\r\n")
            .Append("When it is full, new mail is refused. Please delete or archive old messages.\r\n")
            .ToString();
        // The warning itself is not held to the quota: it is what tells the user about it.
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(text));
        maildirs.Deliver(mailbox.Address, "INBOX", [], body);
    }

    private static string FormatBytes(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB" : bytes >= 1L << 20 ? $"{bytes / (double)(1L << 20):0.0} MiB" : $"{bytes / 1024.0:0.0} KiB";
}
