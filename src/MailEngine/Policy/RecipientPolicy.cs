using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Queue;
using MailEngine.Smtp;

namespace MailEngine.Policy;

/// <summary>What the RCPT check knows about one recipient: the snapshot's resolution of it and the session around it.</summary>
/// <param name="ClientTrusted">The client is in the snapshot's trusted networks (relay without AUTH on the MX listener).</param>
/// <param name="DeclaredSize">The SIZE of MAIL FROM (RFC 1870), 0 when none.</param>
/// <param name="Usage">Bytes a local mailbox holds now.</param>
/// <param name="MailboxOf">The snapshot's mailbox of an address (a group's members), null for an external one.</param>
public sealed record RecipientFacts(
    RecipientResolution Resolution,
    string Address,
    ListenerKind Listener,
    bool Authenticated,
    bool ClientTrusted,
    int RecipientsSoFar,
    int MaxRecipients,
    long DeclaredSize,
    Func<string, long> Usage,
    Func<string, SnapshotMailbox?> MailboxOf);

/// <summary>The RCPT decision and, when accepted, where the copies go.</summary>
public sealed record RecipientDecision(PolicyDecision Decision, IReadOnlyList<DeliveryTarget> Targets);

/// <summary>
/// RCPT TO (RFC 5321 4.1.1.3): whether this engine takes mail for the address, so nothing is accepted
/// that would bounce later: relaying, unknown and disabled recipients, empty groups, the quota.
/// </summary>
public static class RecipientPolicy
{
    public static RecipientDecision Decide(RecipientFacts facts)
    {
        // RFC 5321 4.5.3.1.10: 452 for too many recipients; the client sends the rest in another transaction.
        if (facts.RecipientsSoFar >= facts.MaxRecipients) return Refused(PolicyDecision.Defer(PolicyReason.TooManyRecipients, facts.Address));

        var resolution = facts.Resolution;
        switch (resolution.Kind)
        {
            case RecipientKind.Unknown:
                return Refused(PolicyDecision.Refuse(PolicyReason.UnknownRecipient, facts.Address, resolution.Detail));

            case RecipientKind.SrsReturn:
                // A bounce (or reply) to an address we made when forwarding: it goes back to the original sender.
                return new(PolicyDecision.Accept, [new DeliveryTarget(resolution.Address, Local: false, facts.Address)]);

            case RecipientKind.Remote:
                if (!facts.Authenticated && !(facts.Listener == ListenerKind.Mx && facts.ClientTrusted))
                    return Refused(PolicyDecision.Refuse(PolicyReason.RelayDenied, facts.Address));
                return new(PolicyDecision.Accept, [new DeliveryTarget(resolution.Address, Local: false, resolution.Address)]);

            case RecipientKind.LocalMailbox:
                var mailbox = resolution.Mailbox!;
                if (!mailbox.Enabled) return Refused(PolicyDecision.Refuse(PolicyReason.MailboxDisabled, facts.Address));
                // RFC 1870 6.1: with a declared SIZE the check is whether this message still fits.
                if (facts.Usage(mailbox.Address) + facts.DeclaredSize >= mailbox.QuotaBytes)
                    return Refused(PolicyDecision.Refuse(PolicyReason.MailboxFull, facts.Address));
                return new(PolicyDecision.Accept, [new DeliveryTarget(mailbox.Address, Local: true, facts.Address)]);

            default: // RecipientKind.Alias
                var deliverable = resolution.Targets.Select(t => (Address: t, Mailbox: facts.MailboxOf(t))).Where(m => m.Mailbox is not { Enabled: false }).ToList();
                // Accepting a group with no one to deliver to would only end in "no valid recipients" at DATA, or a bounce.
                if (deliverable.Count == 0) return Refused(PolicyDecision.Refuse(PolicyReason.EmptyGroup, facts.Address));
                return new(PolicyDecision.Accept, [.. deliverable.Select(d => new DeliveryTarget(d.Address, Local: d.Mailbox is not null, facts.Address))]);
        }
    }

    private static RecipientDecision Refused(PolicyDecision decision) => new(decision, []);
}
