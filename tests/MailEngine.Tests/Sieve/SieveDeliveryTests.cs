using MailEngine.Control;
using MailEngine.Tests.Support;
using MailKit;
using MailKit.Search;

namespace MailEngine.Tests.Sieve;

/// <summary>Sieve in local delivery, end to end: mail in over SMTP, the scripts' decisions seen over IMAP.</summary>
public sealed class SieveDeliveryTests : IAsyncLifetime
{
    private const string Vacation = "require [\"vacation\"];\nvacation :days 1 :subject \"Away\" \"I am away this week.\";\n";
    private TestEngine _engine = default!;

    public async Task InitializeAsync()
    {
        var snapshot = TestEngine.StandardSnapshot();
        snapshot = snapshot with
        {
            Mailboxes = snapshot.Mailboxes.Select(m => m.Address switch
            {
                "alice@example.test" => m with { VacationSieve = Vacation },
                // dave receives the refusals (an MDN or DSN is a few KiB): room beyond the standard 2 KiB.
                "dave@example.test" => m with { QuotaBytes = 10L * 1024 * 1024 },
                "bob@example.test" => m with
                {
                    SieveScript = """
                        require ["fileinto", "mailbox", "imap4flags", "reject", "ereject", "copy"];
                        if header :contains "subject" "[dev]" { addflag ["\\Flagged", "$Build"]; fileinto :create "Lists/dev"; stop; }
                        if header :contains "subject" "forward me" { redirect :copy "alice@example.test"; }
                        if header :contains "subject" "go away" { reject "Not interested."; }
                        if header :contains "subject" "no thanks" { ereject "Not for me."; }
                        if header :contains "subject" "shred" { discard; }
                        """,
                },
                _ => m,
            }).ToList(),
        };
        _engine = await TestEngine.StartAsync(snapshot);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task<IList<IMessageSummary>> FolderAsync(string user, string folder)
    {
        using var client = await _engine.ConnectImapAsync(user);
        var opened = await client.GetFolderAsync(folder);
        await opened.OpenAsync(FolderAccess.ReadOnly);
        var summaries = opened.Count == 0 ? [] : await opened.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.Flags | MessageSummaryItems.Headers);
        await client.DisconnectAsync(true);
        return summaries;
    }

    [Fact]
    public async Task A_user_on_vacation_answers_each_sender_once_and_never_lists_or_auto_replies()
    {
        await _engine.DeliverAsync("alice@example.test", "first", from: "bob@example.test");
        await _engine.DeliverAsync("alice@example.test", "second", from: "bob@example.test");
        await _engine.DeliverAsync("alice@example.test", "from a list", from: "dave@example.test", shape: m => m.Headers.Add("List-Id", "<dev.example.test>"));
        await _engine.DeliverAsync("alice@example.test", "an auto-reply", from: "dave@example.test", shape: m => m.Headers.Add("Auto-Submitted", "auto-replied"));

        var replies = (await FolderAsync("bob@example.test", "INBOX")).Where(s => s.Envelope!.Subject == "Away").ToList();
        var reply = Assert.Single(replies);
        Assert.Equal("alice@example.test", reply.Envelope!.From.Mailboxes.Single().Address);
        Assert.Equal("auto-replied", reply.Headers!["Auto-Submitted"]);
        Assert.NotNull(reply.Envelope.InReplyTo);
        Assert.DoesNotContain(await FolderAsync("dave@example.test", "INBOX"), s => s.Envelope!.Subject == "Away");
        // The originals are all kept.
        Assert.Equal(4, (await FolderAsync("alice@example.test", "INBOX")).Count);
    }

    [Fact]
    public async Task A_users_vacation_cannot_send_as_someone_else_nor_more_than_once_a_day()
    {
        // The reproduction: bob's own filter answering as the CEO, for every message.
        var snapshot = TestEngine.StandardSnapshot(version: 2);
        _engine.Host.Apply(snapshot with
        {
            Mailboxes = snapshot.Mailboxes.Select(m => m.Address == "bob@example.test"
                ? m with { SieveScript = "require [\"vacation\", \"vacation-seconds\"]; vacation :seconds 0 :from \"ceo@victim.test\" :subject \"Urgent: wire transfer\" \"Pay now.\";" }
                : m).ToList(),
        });
        await _engine.DeliverAsync("bob@example.test", "one", from: "alice@example.test");
        await _engine.DeliverAsync("bob@example.test", "two", from: "alice@example.test");

        var replies = (await FolderAsync("alice@example.test", "INBOX")).Where(s => s.Envelope!.Subject == "Urgent: wire transfer").ToList();
        var reply = Assert.Single(replies);
        Assert.Equal("bob@example.test", reply.Envelope!.From.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task The_vacation_memory_survives_a_restart()
    {
        var root = Directory.CreateTempSubdirectory("sieve-restart").FullName;
        try
        {
            var snapshot = TestEngine.StandardSnapshot() with
            {
                Mailboxes = TestEngine.StandardSnapshot().Mailboxes.Select(m => m.Address == "alice@example.test" ? m with { VacationSieve = Vacation } : m).ToList(),
            };
            await using (var engine = await TestEngine.StartAsync(snapshot, root: root))
                await engine.DeliverAsync("alice@example.test", "before restart", from: "bob@example.test");
            await using (var engine = await TestEngine.StartAsync(snapshot, root: root))
            {
                await engine.DeliverAsync("alice@example.test", "after restart", from: "bob@example.test");
                using var client = await engine.ConnectImapAsync("bob@example.test");
                await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
                Assert.Single(await client.Inbox.SearchAsync(SearchQuery.SubjectContains("Away")));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Fileinto_create_makes_the_folder_and_an_IMAP_client_sees_the_message_flagged()
    {
        await _engine.DeliverAsync("bob@example.test", "[dev] build broken");
        var messages = await FolderAsync("bob@example.test", "Lists/dev");
        var message = Assert.Single(messages);
        Assert.Equal("[dev] build broken", message.Envelope!.Subject);
        Assert.True(message.Flags!.Value.HasFlag(MailKit.MessageFlags.Flagged));
        Assert.Contains("$Build", message.Keywords);
        Assert.Empty(await FolderAsync("bob@example.test", "INBOX"));
    }

    [Fact]
    public async Task Spam_scored_by_the_scanner_lands_in_Junk_through_the_before_script()
    {
        // The scanner's verdict (over the Junk threshold, under the reject one) reaches the before-script as spamtest.
        await _engine.DeliverAsync("alice@example.test", "cheap watches", body: "Swiss replica watches at wholesale prices! Buy now, limited time offer.\r\nClick here: http://watches.example.top/buy\r\n", from: "spammer@elsewhere.test");
        await _engine.DeliverAsync("alice@example.test", "lunch?", from: "friend@elsewhere.test");
        Assert.Equal(["cheap watches"], (await FolderAsync("alice@example.test", "Junk")).Select(s => s.Envelope!.Subject));
        // Spam gets no vacation reply either: the before-script stops the run.
        Assert.Equal(["lunch?"], (await FolderAsync("alice@example.test", "INBOX")).Select(s => s.Envelope!.Subject));
    }

    [Fact]
    public async Task Redirect_copy_reject_and_discard_do_what_they_say()
    {
        await _engine.DeliverAsync("bob@example.test", "please forward me", from: "dave@example.test");
        // To bob alone, his reject is the SMTP answer (RFC 5429 2.1) and nothing is queued ...
        var refused = await Assert.ThrowsAsync<MailKit.Net.Smtp.SmtpCommandException>(() => _engine.DeliverAsync("bob@example.test", "go away", from: "dave@example.test"));
        Assert.Equal(MailKit.Net.Smtp.SmtpStatusCode.MailboxUnavailable, refused.StatusCode);
        Assert.Contains("Not interested.", refused.Message, StringComparison.Ordinal);
        // ... with alice as well it is accepted, and bob's refusal goes to the sender by mail.
        await _engine.DeliverAsync("bob@example.test", "go away", from: "dave@example.test", shape: m => m.To.Add(MimeKit.MailboxAddress.Parse("alice@example.test")));
        await _engine.DeliverAsync("bob@example.test", "shred this", from: "dave@example.test");

        Assert.Equal(["please forward me"], (await FolderAsync("bob@example.test", "INBOX")).Select(s => s.Envelope!.Subject));
        Assert.Equal(["please forward me", "go away"], (await FolderAsync("alice@example.test", "INBOX")).Select(s => s.Envelope!.Subject));
        var refusal = Assert.Single(await FolderAsync("dave@example.test", "INBOX"), s => s.Envelope!.Subject == "Rejected: go away");
        Assert.Equal("auto-replied", refusal.Headers!["Auto-Submitted"]);
    }

    [Fact]
    public async Task A_mailed_reject_is_an_MDN_and_a_mailed_ereject_a_DSN()
    {
        // Accepted because alice takes it; bob's refusal is then mailed in the form RFC 5429 asks for.
        await _engine.DeliverAsync("bob@example.test", "go away", from: "dave@example.test", shape: m => m.To.Add(MimeKit.MailboxAddress.Parse("alice@example.test")));
        await _engine.DeliverAsync("bob@example.test", "no thanks", from: "dave@example.test", shape: m => m.To.Add(MimeKit.MailboxAddress.Parse("alice@example.test")));

        using var client = await _engine.ConnectImapAsync("dave@example.test");
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var messages = new List<MimeKit.MimeMessage>();
        for (var i = 0; i < client.Inbox.Count; i++) messages.Add(await client.Inbox.GetMessageAsync(i));

        // reject: an RFC 8098 MDN (2.2.1), disposition "deleted", for the original's Message-ID.
        var mdn = Assert.Single(messages, m => m.Body is MimeKit.MultipartReport { ReportType: "disposition-notification" });
        var mdnPart = Assert.Single(((MimeKit.MultipartReport)mdn.Body!).OfType<MimeKit.MessageDispositionNotification>());
        Assert.Equal("automatic-action/MDN-sent-automatically; deleted", mdnPart.Fields["Disposition"]);
        Assert.Equal("rfc822; bob@example.test", mdnPart.Fields["Final-Recipient"]);
        Assert.Contains("Not interested.", mdn.TextBody, StringComparison.Ordinal);
        Assert.Equal("dave@example.test", mdn.To.Mailboxes.Single().Address);

        // ereject: an RFC 3464 DSN (2.1.1), a permanent failure for bob with the script's reason.
        var dsn = Assert.Single(messages, m => m.Body is MimeKit.MultipartReport { ReportType: "delivery-status" });
        var status = Assert.Single(((MimeKit.MultipartReport)dsn.Body!).OfType<MimeKit.MessageDeliveryStatus>());
        var recipient = status.StatusGroups[1];
        Assert.Equal("rfc822; bob@example.test", recipient["Final-Recipient"]);
        Assert.Equal("failed", recipient["Action"]);
        Assert.Equal("5.7.1", recipient["Status"]);
        Assert.Contains("Not for me.", recipient["Diagnostic-Code"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reject_on_the_spam_score_refuses_at_DATA()
    {
        // No before-script filing spam into Junk: the user's own script decides on spamtest, and it runs
        // after the scanner's verdict, so its reject is the SMTP answer (RFC 5429 2.1).
        var root = Directory.CreateTempSubdirectory("engine").FullName;
        var before = Path.Combine(root, "before.sieve");
        await File.WriteAllTextAsync(before, "# no global rules\n");
        var snapshot = TestEngine.StandardSnapshot();
        snapshot = snapshot with
        {
            Mailboxes = snapshot.Mailboxes.Select(m => m.Address == "bob@example.test" ? m with
            {
                SieveScript = """
                    require ["spamtest", "relational", "comparator-i;ascii-numeric", "reject"];
                    if spamtest :value "ge" :comparator "i;ascii-numeric" "6" { reject "Spam is refused here."; }
                    """,
            } : m).ToList(),
        };
        try
        {
            await using var engine = await TestEngine.StartAsync(snapshot, o => o.SieveBeforeScriptPath = before, root: root);
            var refused = await Assert.ThrowsAsync<MailKit.Net.Smtp.SmtpCommandException>(() => engine.DeliverAsync("bob@example.test", "cheap watches",
                body: "Swiss replica watches at wholesale prices! Buy now, limited time offer.\r\nClick here: http://watches.example.top/buy\r\n", from: "spammer@elsewhere.test"));
            Assert.Equal(MailKit.Net.Smtp.SmtpStatusCode.MailboxUnavailable, refused.StatusCode);
            Assert.Contains("Spam is refused here.", refused.Message, StringComparison.Ordinal);
            // A clean message to the same script is delivered.
            await engine.DeliverAsync("bob@example.test", "lunch?", from: "friend@elsewhere.test");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_script_that_does_not_compile_keeps_the_mail()
    {
        var snapshot = TestEngine.StandardSnapshot(version: 2);
        _engine.Host.Apply(snapshot with
        {
            Mailboxes = snapshot.Mailboxes.Select(m => m.Address == "bob@example.test" ? m with { SieveScript = "if broken {" } : m).ToList(),
        });
        await _engine.DeliverAsync("bob@example.test", "still arrives");
        Assert.Single(await FolderAsync("bob@example.test", "INBOX"));
        Assert.Contains(_engine.Logs.Warnings, w => w.Contains("does not compile", StringComparison.Ordinal));
    }
}
