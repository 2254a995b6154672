using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Policy;
using MailEngine.Smtp;

namespace MailEngine.Tests.Policy;

/// <summary>The RCPT decision as data: facts in, decision and targets out (no engine, no socket).</summary>
public sealed class RecipientPolicyTests
{
    private static readonly SnapshotMailbox Alice = new("alice@example.test", "{X}x", QuotaBytes: 1000);
    private static readonly SnapshotMailbox Carol = new("carol@example.test", "{X}x", QuotaBytes: 1000, Enabled: false);

    private static RecipientFacts Facts(RecipientResolution resolution, ListenerKind listener = ListenerKind.Mx, bool authenticated = false, bool trusted = false,
        int recipientsSoFar = 0, long declaredSize = 0, long usage = 0) =>
        new(resolution, resolution.Address, listener, authenticated, trusted, recipientsSoFar, 100, declaredSize, _ => usage,
            a => a == Alice.Address ? Alice : a == Carol.Address ? Carol : null);

    private static RecipientResolution Local(SnapshotMailbox m) => new(RecipientKind.LocalMailbox, m.Address, [m.Address], m);

    private static readonly RecipientResolution Outside = new(RecipientKind.Remote, "someone@elsewhere.test", ["someone@elsewhere.test"]);

    public static TheoryData<string, RecipientFacts, PolicyVerdict, PolicyReason> Table => new()
    {
        { "unknown address", Facts(new RecipientResolution(RecipientKind.Unknown, "nobody@example.test", [])), PolicyVerdict.Refuse, PolicyReason.UnknownRecipient },
        { "relay from outside", Facts(Outside), PolicyVerdict.Refuse, PolicyReason.RelayDenied },
        { "relay from a trusted network on MX", Facts(Outside, trusted: true), PolicyVerdict.Accept, PolicyReason.None },
        { "relay from a trusted network on submission without AUTH", Facts(Outside, ListenerKind.Submission, trusted: true), PolicyVerdict.Refuse, PolicyReason.RelayDenied },
        { "relay after AUTH", Facts(Outside, ListenerKind.Submission, authenticated: true), PolicyVerdict.Accept, PolicyReason.None },
        { "disabled mailbox", Facts(Local(Carol)), PolicyVerdict.Refuse, PolicyReason.MailboxDisabled },
        { "declared size does not fit (RFC 1870 6.1)", Facts(Local(Alice), declaredSize: 100, usage: 900), PolicyVerdict.Refuse, PolicyReason.MailboxFull },
        { "declared size fits", Facts(Local(Alice), declaredSize: 100, usage: 899), PolicyVerdict.Accept, PolicyReason.None },
        { "full without a declared size", Facts(Local(Alice), usage: 1000), PolicyVerdict.Refuse, PolicyReason.MailboxFull },
        { "group of only disabled members", Facts(new RecipientResolution(RecipientKind.Alias, "empty@example.test", [Carol.Address])), PolicyVerdict.Refuse, PolicyReason.EmptyGroup },
        { "recipient 101 (RFC 5321 4.5.3.1.10)", Facts(Local(Alice), recipientsSoFar: 100), PolicyVerdict.Defer, PolicyReason.TooManyRecipients },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Facts_give_the_decision(string _, RecipientFacts facts, PolicyVerdict verdict, PolicyReason reason)
    {
        var decided = RecipientPolicy.Decide(facts);
        Assert.Equal((verdict, reason), (decided.Decision.Verdict, decided.Decision.Reason));
        Assert.Equal(verdict == PolicyVerdict.Accept, decided.Targets.Count > 0);
        if (verdict != PolicyVerdict.Accept) Assert.Equal(facts.Address, decided.Decision.Subject);
    }

    [Fact]
    public void A_group_delivers_to_its_enabled_members_and_outside_addresses_under_its_own_name()
    {
        var group = new RecipientResolution(RecipientKind.Alias, "team@example.test", [Alice.Address, Carol.Address, "partner@elsewhere.test"]);
        var decided = RecipientPolicy.Decide(Facts(group));
        Assert.True(decided.Decision.Accepted);
        Assert.Equal([(Alice.Address, true, "team@example.test"), ("partner@elsewhere.test", false, "team@example.test")],
            decided.Targets.Select(t => (t.Address, t.Local, t.OriginalRecipient)));
    }

    public static TheoryData<PolicyDecision, int, string, string> Replies => new()
    {
        { PolicyDecision.Refuse(PolicyReason.UnknownRecipient, "x@example.test"), 550, "5.1.1", "<x@example.test>: Recipient address rejected: no such mailbox here" },
        { PolicyDecision.Refuse(PolicyReason.EmptyGroup, "g@example.test"), 550, "5.1.1", "<g@example.test>: Recipient address rejected: the group has no one to deliver to" },
        { PolicyDecision.Refuse(PolicyReason.RelayDenied, "y@elsewhere.test"), 554, "5.7.1", "<y@elsewhere.test>: Relay access denied" },
        { PolicyDecision.Refuse(PolicyReason.MailboxDisabled, "c@example.test"), 550, "5.2.1", "<c@example.test>: Mailbox disabled" },
        { PolicyDecision.Refuse(PolicyReason.MailboxFull, "a@example.test"), 552, "5.2.2", "<a@example.test>: Mailbox full" },
        { PolicyDecision.Defer(PolicyReason.TooManyRecipients, "a@example.test"), 452, "4.5.3", "Too many recipients" },
        { PolicyDecision.Refuse(PolicyReason.SenderNotOwned, "alice@example.test"), 553, "5.7.1", "Sender address not owned by alice@example.test" },
        { PolicyDecision.Refuse(PolicyReason.SieveRefused, detail: "Not\r\ninterested."), 550, "5.7.1", "Not interested." },
        { PolicyDecision.Refuse(PolicyReason.Spam, detail: "15.2"), 550, "5.7.1", "Message refused as spam (score 15.2)" },
        { PolicyDecision.Defer(PolicyReason.ScannerNotReady), 451, "4.3.0", "Spam scanner not ready yet, try again later" },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void Each_decision_has_its_named_reply(PolicyDecision decision, int code, string enhanced, string text)
    {
        var reply = SmtpReplies.For(decision);
        Assert.Equal((code, enhanced, text), (reply.Code, reply.Enhanced, reply.Lines.Single()));
        // Refusals are 5xx and deferrals 4xx: the client's retry logic depends on it.
        Assert.Equal(decision.Verdict == PolicyVerdict.Refuse ? 5 : 4, reply.Code / 100);
    }
}
