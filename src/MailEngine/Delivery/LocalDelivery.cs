using System.Globalization;
using System.Text;
using MailEngine.Control;
using MailEngine.Maildir;
using MailEngine.Queue;

namespace MailEngine.Delivery;

/// <summary>The result of delivering one copy.</summary>
public sealed record DeliveryResult(bool Delivered, bool Permanent, string Status, string Detail)
{
    public static DeliveryResult Ok(string detail) => new(true, false, "2.0.0", detail);
    public static DeliveryResult Temporary(string status, string detail) => new(false, false, status, detail);
    public static DeliveryResult Failed(string status, string detail) => new(false, true, status, detail);
}

/// <summary>
/// Delivers into a local mailbox's Maildir, adding Return-Path and Delivered-To (RFC 5321 4.4,
/// as Dovecot's LDA does). Quota is checked against the message's size; crossing 80% and 95% of the
/// quota sends the user one warning each (the seed's Dovecot quota_warning settings).
/// </summary>
public sealed class LocalDelivery(MaildirStore maildirs, string hostName, TimeProvider clock)
{
    public static readonly int[] WarningPercents = [80, 95];

    public DeliveryResult Deliver(Envelope envelope, DeliveryTarget target, SnapshotMailbox? mailbox, Stream message)
    {
        if (mailbox is null) return DeliveryResult.Failed("5.1.1", $"{target.Address}: no such mailbox here any more");
        if (!mailbox.Enabled) return DeliveryResult.Failed("5.2.1", $"{target.Address}: mailbox disabled");

        var before = maildirs.Usage(mailbox.Address);
        var prefix = Encoding.UTF8.GetBytes($"Return-Path: <{envelope.Sender}>\r\nDelivered-To: {mailbox.Address}\r\n");
        var size = prefix.Length + message.Length;
        // RFC 3463 4.2.2: mailbox full is temporary; the user may make room before the message expires.
        if (before + size > mailbox.QuotaBytes) return DeliveryResult.Temporary("4.2.2", $"{target.Address}: mailbox full");

        message.Position = 0;
        var written = maildirs.Deliver(mailbox.Address, "INBOX", prefix, message);
        foreach (var percent in WarningPercents)
        {
            var threshold = mailbox.QuotaBytes * percent / 100;
            if (before < threshold && before + written >= threshold) SendQuotaWarning(mailbox, percent, before + written);
        }

        return DeliveryResult.Ok($"delivered to {mailbox.Address} INBOX ({written} bytes)");
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
