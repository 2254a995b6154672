using MailEngine.Control;
using MailEngine.Queue;

namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>RCPT TO (RFC 5321 4.1.1.3): recipient validation happens here, so nothing is accepted that would bounce later.</summary>
    private SmtpReply Rcpt(string argument)
    {
        if (_mailFrom is null) return new SmtpReply(503, "5.5.1", "Need MAIL before RCPT");
        var path = SmtpPath.TryParse(argument, "TO", allowNull: false, out var error);
        if (path is null) return error!;
        if (path.Parameters.Count > 0) return new SmtpReply(555, "5.5.4", $"Unsupported parameter {SmtpReply.Quote(path.Parameters.Keys.First())}");
        var address = path.Address!.Value;
        if (!_smtpUtf8 && !IsAscii(address.ToString())) return new SmtpReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");

        // RFC 5321 4.5.3.1.10: 452 for too many recipients; the client sends the rest in another transaction.
        if (_recipients.Count >= Snapshot.Snapshot.Policy.MaxRecipientsPerMessage) return new SmtpReply(452, "4.5.3", "Too many recipients");

        var snapshot = Snapshot;
        var resolution = snapshot.Resolve(address);
        switch (resolution.Kind)
        {
            case RecipientKind.Unknown:
                _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "unknown-recipient"));
                return new SmtpReply(550, "5.1.1", $"<{address}>: Recipient address rejected: no such mailbox here");

            case RecipientKind.Remote:
                if (_authenticated is null && !(_kind == ListenerKind.Mx && snapshot.IsTrusted(_remote.Address)))
                {
                    _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "relay-denied"));
                    return new SmtpReply(554, "5.7.1", $"<{address}>: Relay access denied");
                }

                AddTarget(new DeliveryTarget(resolution.Address, Local: false, resolution.Address));
                break;

            case RecipientKind.LocalMailbox:
                var mailbox = resolution.Mailbox!;
                if (!mailbox.Enabled)
                {
                    _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "disabled"));
                    return new SmtpReply(550, "5.2.1", $"<{address}>: Mailbox disabled");
                }

                // RFC 1870 6.1: with a declared SIZE the check is whether this message still fits.
                if (_services.Maildirs.Usage(mailbox.Address) + _declaredSize >= mailbox.QuotaBytes)
                {
                    _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "over-quota"));
                    return new SmtpReply(552, "5.2.2", $"<{address}>: Mailbox full");
                }

                AddTarget(new DeliveryTarget(mailbox.Address, Local: true, address.ToString()));
                break;

            case RecipientKind.Alias:
                var deliverable = resolution.Targets.Select(t => (Address: t, Mailbox: snapshot.Mailbox(t))).Where(m => m.Mailbox is not { Enabled: false }).ToList();
                if (deliverable.Count == 0)
                {
                    // Accepting it would only end in "no valid recipients" at DATA, or a bounce.
                    _services.Counters.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "empty-group"));
                    return new SmtpReply(550, "5.1.1", $"<{address}>: Recipient address rejected: the group has no one to deliver to");
                }

                foreach (var (target, member) in deliverable) AddTarget(new DeliveryTarget(target, Local: member is not null, address.ToString()));
                break;
        }

        _recipients.Add(address.ToString());
        return new SmtpReply(250, "2.1.5", "Ok");
    }

    private void AddTarget(DeliveryTarget target)
    {
        // A member reached through two groups gets one copy.
        if (!_targets.Exists(t => t.Address == target.Address)) _targets.Add(target);
    }
}
