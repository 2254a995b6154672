using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Scanner;
using MailEngine.Tests.Support;
using MailKit;
using MailKit.Net.Smtp;

namespace MailEngine.Tests.Scanner;

/// <summary>The scanner in the mail flow: refusal at DATA, headers on the stored copy, Junk through spamtest, per-domain settings, learning from IMAP.</summary>
public sealed class SpamPipelineTests : IAsyncLifetime
{
    private const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
    private const string PharmaBody = "Buy viagra at our online pharmacy, no prescription needed.\r\n";
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task<List<(string Subject, string? Score, string? Status)>> FolderAsync(string folder, string user = "alice@example.test")
    {
        using var client = await _engine.ConnectImapAsync(user);
        var opened = await client.GetFolderAsync(folder);
        await opened.OpenAsync(FolderAccess.ReadOnly);
        var summaries = opened.Count == 0 ? [] : await opened.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Headers);
        await client.DisconnectAsync(true);
        return summaries.Select(s => (s.Envelope!.Subject ?? string.Empty, s.Headers!["X-Spam-Score"], s.Headers["X-Spam-Status"])).ToList();
    }

    private int _version = 1;

    private void UsePolicy(SpamPolicy policy) =>
        _engine.Host.Apply(TestEngine.StandardSnapshot(version: ++_version) with { Domains = [new SnapshotDomain("example.test", 10 * 1024 * 1024, Spam: policy)] });

    [Fact]
    public async Task GTUBE_is_refused_at_DATA_with_550_5_7_1_and_nothing_is_queued()
    {
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => _engine.DeliverAsync("alice@example.test", "test", body: Gtube + "\r\n"));
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, refused.StatusCode); // MailKit's name for 550
        Assert.StartsWith("5.7.1 Message refused as spam (score 100", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, _engine.SpoolFiles);
        Assert.Empty(_engine.Inbox("alice@example.test"));
    }

    [Fact]
    public async Task GTUBE_is_refused_even_when_a_domain_raises_its_threshold_to_the_maximum_and_turns_the_rule_off()
    {
        UsePolicy(new SpamPolicy { RejectThreshold = SpamPolicy.MaxThreshold, JunkThreshold = 998, HeaderThreshold = 997, Overrides = new Dictionary<string, SpamRuleOverride> { ["GTUBE"] = new(Enabled: false) } });
        await Assert.ThrowsAsync<SmtpCommandException>(() => _engine.DeliverAsync("alice@example.test", "test", body: Gtube + "\r\n"));
    }

    [Fact]
    public async Task Scored_spam_lands_in_Junk_with_the_headers_and_ham_in_INBOX()
    {
        await _engine.DeliverAsync("alice@example.test", "Cheap viagra", body: PharmaBody, from: "deals@pills.example");
        await _engine.DeliverAsync("alice@example.test", "minutes of the meeting", body: "Attached are the minutes; the next meeting is on Tuesday.\r\n", from: "colleague@partner.example");

        var junk = Assert.Single(await FolderAsync("Junk"));
        Assert.Equal("Cheap viagra", junk.Subject);
        var score = double.Parse(junk.Score!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(score, 6, 14.99); // over the default Junk threshold, under the reject one
        Assert.StartsWith("Yes, score=", junk.Status, StringComparison.Ordinal);
        Assert.Contains("SUBJ_PHARMA=2.5", junk.Status, StringComparison.Ordinal);
        Assert.Contains("BODY_NO_PRESCRIPTION=", junk.Status, StringComparison.Ordinal);

        var inbox = Assert.Single(await FolderAsync("INBOX"));
        Assert.Equal("minutes of the meeting", inbox.Subject);
        Assert.StartsWith("No, score=", inbox.Status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_s_thresholds_and_rule_overrides_change_the_verdict()
    {
        UsePolicy(new SpamPolicy { RejectThreshold = 6 });
        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => _engine.DeliverAsync("alice@example.test", "Cheap viagra", body: PharmaBody));
        Assert.Contains("refused as spam", refused.Message, StringComparison.Ordinal);

        // Turning rules off and scoring one down brings the same message under the Junk threshold.
        UsePolicy(new SpamPolicy
        {
            Overrides = new Dictionary<string, SpamRuleOverride>
            {
                ["BODY_PHARMA_NAMES"] = new(Enabled: false),
                ["BODY_CHEAP_MEDS"] = new(Enabled: false),
                ["BODY_NO_PRESCRIPTION"] = new(Enabled: false),
                ["SUBJ_PHARMA"] = new(Score: 0.5),
            },
        });
        await _engine.DeliverAsync("alice@example.test", "Cheap viagra", body: PharmaBody);
        var kept = Assert.Single(await FolderAsync("INBOX"));
        Assert.DoesNotContain("BODY_PHARMA_NAMES", kept.Status, StringComparison.Ordinal);
        Assert.Contains("SUBJ_PHARMA=0.5", kept.Status, StringComparison.Ordinal);

        // A domain that turns scanning off gets no verdict at all.
        UsePolicy(new SpamPolicy { Enabled = false });
        await _engine.DeliverAsync("bob@example.test", "Cheap viagra", body: PharmaBody);
        Assert.Null(Assert.Single(await FolderAsync("INBOX", "bob@example.test")).Status);
    }

    [Fact]
    public async Task Moving_into_Junk_and_back_trains_the_Bayes_model_which_persists()
    {
        await _engine.DeliverAsync("alice@example.test", "cheap pills", body: "Cheap pills today\r\n");
        await _engine.DeliverAsync("alice@example.test", "project notes", body: "Notes from the project meeting\r\n");
        using (var client = await _engine.ConnectImapAsync())
        {
            await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
            var junk = client.GetFolder(SpecialFolder.Junk)!;
            await client.Inbox.MoveToAsync(0, junk); // learn spam
            await junk.OpenAsync(FolderAccess.ReadWrite);
            await junk.MoveToAsync(0, client.Inbox); // and back: learn ham
        }

        var deadline = DateTime.UtcNow + TestEngine.DeliveryWait;
        while (_engine.Host.Learner.Learned < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        var bayes = _engine.Host.Scanner.Bayes;
        Assert.Equal((1, 1), (bayes.SpamMessages, bayes.HamMessages));
        Assert.Empty(_engine.Host.Learning.Pending()); // consumed only after the model was saved

        // The model is a file in the state folder: a new engine on the same folder reads it.
        var reloaded = new BayesClassifier(Path.Combine(_engine.Options.StateDirectory, "scanner", "bayes.model"));
        Assert.Equal((1, 1), (reloaded.SpamMessages, reloaded.HamMessages));
        Assert.True(reloaded.TokenCount > 3);
    }
}
