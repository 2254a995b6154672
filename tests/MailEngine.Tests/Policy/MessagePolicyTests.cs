using MailEngine.Policy;
using MailEngine.Scanner;

namespace MailEngine.Tests.Policy;

/// <summary>Sender ownership, spam verdict and Sieve refusal as data.</summary>
public sealed class MessagePolicyTests
{
    private static bool Owns(string user, string address) => address == user || address == "sales@example.test";

    [Theory]
    [InlineData(null, "anyone@elsewhere.test", PolicyVerdict.Accept)] // MX: anyone may be the sender
    [InlineData("alice@example.test", "alice@example.test", PolicyVerdict.Accept)]
    [InlineData("alice@example.test", "sales@example.test", PolicyVerdict.Accept)]
    [InlineData("alice@example.test", "ceo@example.test", PolicyVerdict.Refuse)]
    [InlineData("alice@example.test", null, PolicyVerdict.Refuse)] // the null sender is not a user's to use
    public void The_envelope_sender_must_be_the_users_own_on_submission(string? user, string? sender, PolicyVerdict verdict)
    {
        var decision = SenderPolicy.EnvelopeSender(user, sender, Owns);
        Assert.Equal(verdict, decision.Verdict);
        if (verdict == PolicyVerdict.Refuse) Assert.Equal(PolicyReason.SenderNotOwned, decision.Reason);
    }

    [Fact]
    public void From_and_Sender_headers_must_be_the_users_own_and_parse()
    {
        Assert.True(SenderPolicy.HeaderSenders("alice@example.test", [("From", ["alice@example.test"]), ("Sender", ["sales@example.test"])], Owns).Accepted);
        var forged = SenderPolicy.HeaderSenders("alice@example.test", [("From", ["ceo@example.test"])], Owns);
        Assert.Equal((PolicyVerdict.Refuse, PolicyReason.SenderHeaderNotOwned), (forged.Verdict, forged.Reason));
        Assert.Equal("From: header address <ceo@example.test> not owned by alice@example.test", forged.Detail);
        Assert.Equal("Sender: header cannot be parsed", SenderPolicy.HeaderSenders("alice@example.test", [("Sender", null)], Owns).Detail);
        Assert.True(SenderPolicy.HeaderSenders(null, [("From", ["ceo@example.test"])], Owns).Accepted);
    }

    private static SpamVerdict Verdict(double score, SpamAction action) => new(score, action, [], 5, 6, 15);

    public static TheoryData<string, Dictionary<string, SpamVerdict>, bool, int, PolicyVerdict> Spam => new()
    {
        { "every domain says reject", new() { ["a.test"] = Verdict(20, SpamAction.Reject), ["b.test"] = Verdict(16, SpamAction.Reject) }, true, 2, PolicyVerdict.Refuse },
        { "one domain says junk", new() { ["a.test"] = Verdict(20, SpamAction.Reject), ["b.test"] = Verdict(8, SpamAction.Junk) }, true, 2, PolicyVerdict.Accept },
        { "a remote recipient too", new() { ["a.test"] = Verdict(20, SpamAction.Reject) }, false, 1, PolicyVerdict.Accept },
        { "a domain with scanning off", new() { ["a.test"] = Verdict(20, SpamAction.Reject) }, true, 2, PolicyVerdict.Accept },
        { "not scanned", new(), true, 1, PolicyVerdict.Accept },
    };

    [Theory]
    [MemberData(nameof(Spam))]
    public void Spam_is_refused_only_when_every_recipient_domain_rejects_it(string _, Dictionary<string, SpamVerdict> verdicts, bool allLocal, int domains, PolicyVerdict verdict)
    {
        var decision = MessagePolicy.Spam(verdicts, allLocal, domains);
        Assert.Equal(verdict, decision.Verdict);
        if (verdict == PolicyVerdict.Refuse) Assert.Equal((PolicyReason.Spam, "20.0"), (decision.Reason, decision.Detail));
    }

    [Fact]
    public void Sieve_refuses_at_DATA_only_when_every_recipient_refuses()
    {
        var all = MessagePolicy.Sieve(["Not interested.", "Go away."]);
        Assert.Equal((PolicyVerdict.Refuse, PolicyReason.SieveRefused, "Not interested."), (all.Verdict, all.Reason, all.Detail));
        Assert.True(MessagePolicy.Sieve(["Not interested.", null]).Accepted);
        Assert.True(MessagePolicy.Sieve([]).Accepted);
    }
}
