using MailEngine.Policy;
using MailEngine.Queue;

namespace MailEngine.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>RCPT TO (RFC 5321 4.1.1.3): parsed here, decided by <see cref="RecipientPolicy"/>, so nothing is accepted that would bounce later.</summary>
    private SmtpReply Rcpt(string argument)
    {
        if (_state is not (SmtpState.Mail or SmtpState.Recipients)) return SmtpReplies.NeedMailBeforeRcpt;
        var path = SmtpPath.TryParse(argument, "TO", allowNull: false, out var error);
        if (path is null) return error!;
        if (path.Parameters.Count > 0) return SmtpReplies.UnsupportedParameter(path.Parameters.Keys.First());
        var address = path.Address!.Value;
        if (!_smtpUtf8 && !IsAscii(address.ToString())) return SmtpReplies.NonAsciiAddress;

        var snapshot = Snapshot;
        var decided = RecipientPolicy.Decide(new RecipientFacts(
            snapshot.Resolve(address), address.ToString(), _kind, _authenticated is not null, snapshot.IsTrusted(_remote.Address),
            _recipients.Count, snapshot.Snapshot.Policy.MaxRecipientsPerMessage, _declaredSize, _services.Maildirs.Usage, snapshot.Mailbox));
        if (!decided.Decision.Accepted) return Decided(decided.Decision);

        // A member reached through two groups gets one copy.
        foreach (var target in decided.Targets)
            if (!_targets.Exists(t => t.Address == target.Address)) _targets.Add(target);
        _recipients.Add(address.ToString());
        _state = SmtpState.Recipients;
        return SmtpReplies.RecipientOk;
    }

    /// <summary>The one place a policy decision is counted and becomes a reply.</summary>
    private SmtpReply Decided(PolicyDecision decision)
    {
        var label = new KeyValuePair<string, object?>("reason", decision.Label);
        if (decision.Verdict == PolicyVerdict.Refuse) _services.Counters.Rejected.Add(1, label);
        else _services.Counters.PolicyDeferred.Add(1, label);
        return SmtpReplies.For(decision);
    }
}
