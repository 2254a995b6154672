using MailEngine.Tests.Support;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace MailEngine.Tests.Imap;

/// <summary>MailKit's ImapClient drives whole flows over loopback against the engine's IMAP listeners.</summary>
public sealed class ImapClientTests : IAsyncLifetime
{
    private TestEngine _engine = default!;

    public async Task InitializeAsync() => _engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_user_logs_in_over_TLS_and_sees_INBOX_and_the_special_use_folders(bool implicitTls)
    {
        using var client = await _engine.ConnectImapAsync(implicitTls: implicitTls);
        Assert.True(client.IsSecure);
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Idle));
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.UidPlus));
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Move));
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.SpecialUse));
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Quota));

        var personal = client.GetFolder(client.PersonalNamespaces[0]);
        var folders = await personal.GetSubfoldersAsync(false);
        Assert.Equal(["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"], folders.Select(f => f.FullName).Order());
        Assert.Equal("Junk", client.GetFolder(SpecialFolder.Junk)!.FullName);
        Assert.Equal("Sent", client.GetFolder(SpecialFolder.Sent)!.FullName);
        Assert.Equal("Trash", client.GetFolder(SpecialFolder.Trash)!.FullName);
        Assert.Equal("Drafts", client.GetFolder(SpecialFolder.Drafts)!.FullName);
        Assert.Equal("Archive", client.GetFolder(SpecialFolder.Archive)!.FullName);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_user_are_refused_alike()
    {
        // One connection each: a connection is closed after its third failure.
        foreach (var (user, password) in new[] { ("alice@example.test", "wrong-password"), ("nobody@example.test", TestEngine.Password), ("carol@example.test", TestEngine.Password) })
        {
            using var refused = await _engine.ConnectImapAsync(user: null);
            await Assert.ThrowsAsync<MailKit.Security.AuthenticationException>(() => refused.AuthenticateAsync(user, password));
        }

        using var client = await _engine.ConnectImapAsync(user: null);
        await client.AuthenticateAsync("alice@example.test", TestEngine.Password);
        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task Mail_delivered_over_SMTP_is_fetched_with_envelope_structure_and_parts()
    {
        await _engine.DeliverAsync("alice@example.test", "Quarterly report", shape: message =>
        {
            var body = new TextPart("plain") { Text = "See the attachment.\r\n" };
            var attachment = new MimePart("application", "pdf")
            {
                Content = new MimeContent(new MemoryStream("%PDF-1.4 not really"u8.ToArray())),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = "report.pdf" },
                ContentTransferEncoding = ContentEncoding.Base64,
            };
            message.Cc.Add(MailboxAddress.Parse("Bob Example <bob@example.test>"));
            message.Body = new Multipart("mixed") { body, attachment };
        });

        using var client = await _engine.ConnectImapAsync();
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        Assert.Equal(1, inbox.Count);
        var summary = Assert.Single(await inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Envelope | MessageSummaryItems.BodyStructure | MessageSummaryItems.Size | MessageSummaryItems.Flags | MessageSummaryItems.InternalDate));
        Assert.Equal("Quarterly report", summary.Envelope!.Subject);
        Assert.Equal("sender@elsewhere.test", summary.Envelope!.From.Mailboxes.Single().Address);
        Assert.Equal("Bob Example", summary.Envelope!.Cc.Mailboxes.Single().Name);
        Assert.Equal("bob@example.test", summary.Envelope!.Cc.Mailboxes.Single().Address);
        var multipart = Assert.IsType<BodyPartMultipart>(summary.Body);
        Assert.Equal("mixed", multipart.ContentType.MediaSubtype, ignoreCase: true);
        Assert.Equal(2, multipart.BodyParts.Count);
        var text = Assert.IsType<BodyPartText>(multipart.BodyParts[0]);
        Assert.True(text.ContentType.IsMimeType("text", "plain"));
        var pdf = Assert.IsType<BodyPartBasic>(multipart.BodyParts[1]);
        Assert.Equal("report.pdf", pdf.ContentDisposition!.FileName);
        Assert.Equal("base64", pdf.ContentTransferEncoding, ignoreCase: true);
        Assert.False(summary.Flags!.Value.HasFlag(MessageFlags.Seen));
        Assert.True(summary.Size > 0);

        // A part fetched by its section; BODY.PEEK leaves \Seen alone (BODY[] setting it: ImapProtocolTests).
        var part = (TextPart)await inbox.GetBodyPartAsync(summary.UniqueId, text);
        Assert.Equal("See the attachment.", part.Text.TrimEnd());
        var attachmentPart = (MimePart)await inbox.GetBodyPartAsync(summary.UniqueId, pdf);
        using var decoded = new MemoryStream();
        await attachmentPart.Content!.DecodeToAsync(decoded);
        Assert.Equal("%PDF-1.4 not really", System.Text.Encoding.ASCII.GetString(decoded.ToArray()));
        var flags = await inbox.FetchAsync([summary.UniqueId], MessageSummaryItems.Flags);
        Assert.False(flags[0].Flags!.Value.HasFlag(MessageFlags.Seen));

        var whole = await inbox.GetMessageAsync(summary.UniqueId); // MailKit peeks too
        Assert.Equal("Quarterly report", whole.Subject);
        flags = await inbox.FetchAsync([summary.UniqueId], MessageSummaryItems.Flags);
        Assert.False(flags[0].Flags!.Value.HasFlag(MessageFlags.Seen));

        // Headers only, and a partial body.
        var headers = await inbox.GetHeadersAsync(summary.UniqueId);
        Assert.Equal("Quarterly report", headers[HeaderId.Subject]);
        using var partial = await inbox.GetStreamAsync(summary.UniqueId, 0, 10);
        Assert.Equal(10, partial.Length);
    }

    [Fact]
    public async Task Search_flag_copy_move_expunge_and_append()
    {
        for (var i = 1; i <= 5; i++) await _engine.DeliverAsync("bob@example.test", $"message {i}", body: i == 3 ? "the magic word is ostrich\r\n" : "plain\r\n", from: i % 2 == 0 ? "even@elsewhere.test" : "odd@elsewhere.test");
        using var client = await _engine.ConnectImapAsync("bob@example.test");
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        Assert.Equal(5, inbox.Count);

        var uids = await inbox.SearchAsync(SearchQuery.All);
        Assert.Equal(5, uids.Count);
        Assert.Equal(2, (await inbox.SearchAsync(SearchQuery.FromContains("even@"))).Count);
        Assert.Equal([uids[2]], await inbox.SearchAsync(SearchQuery.BodyContains("OSTRICH")));
        Assert.Equal([uids[3]], await inbox.SearchAsync(SearchQuery.SubjectContains("message 4")));
        Assert.Equal(5, (await inbox.SearchAsync(SearchQuery.NotSeen)).Count);
        Assert.Equal(5, (await inbox.SearchAsync(SearchQuery.DeliveredAfter(DateTime.UtcNow.AddDays(-1)))).Count);
        Assert.Empty(await inbox.SearchAsync(SearchQuery.SentBefore(new DateTime(2000, 1, 1))));
        Assert.Equal(2, (await inbox.SearchAsync(SearchQuery.Or(SearchQuery.SubjectContains("message 1"), SearchQuery.SubjectContains("message 2")))).Count);
        Assert.Equal(4, (await inbox.SearchAsync(SearchQuery.Not(SearchQuery.BodyContains("ostrich")))).Count);
        Assert.Equal(5, (await inbox.SearchAsync(SearchQuery.HeaderContains("Message-ID", "@"))).Count);

        // Flags and keywords.
        await inbox.AddFlagsAsync(uids[0], MessageFlags.Flagged | MessageFlags.Seen, true);
        await inbox.AddFlagsAsync(uids[1], MessageFlags.None, new HashSet<string> { "$Important" }, true);
        Assert.Equal([uids[0]], await inbox.SearchAsync(SearchQuery.Flagged));
        Assert.Equal([uids[1]], await inbox.SearchAsync(SearchQuery.HasKeyword("$Important")));
        await inbox.RemoveFlagsAsync(uids[0], MessageFlags.Flagged, true);
        Assert.Empty(await inbox.SearchAsync(SearchQuery.Flagged));
        Assert.Equal([uids[0]], await inbox.SearchAsync(SearchQuery.Seen));

        // COPY keeps the source, MOVE takes it; both report the new UIDs.
        var archive = client.GetFolder("Archive");
        var copied = await inbox.CopyToAsync([uids[0], uids[1]], archive);
        Assert.Equal(2, copied.Destination.Count);
        var moved = await inbox.MoveToAsync([uids[4]], archive);
        Assert.Single(moved.Destination);
        Assert.Equal(4, inbox.Count);

        // EXPUNGE removes \Deleted messages only.
        await inbox.AddFlagsAsync(uids[2], MessageFlags.Deleted, true);
        await inbox.ExpungeAsync();
        Assert.Equal(3, inbox.Count);
        Assert.DoesNotContain(uids[2], await inbox.SearchAsync(SearchQuery.All));

        // APPEND with flags and a date, into a folder made on the way.
        var lists = (await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync("Lists", true))!;
        var dev = (await lists.CreateAsync("dev", true))!;
        Assert.Equal("Lists/dev", dev.FullName);
        var message = new MimeMessage { Subject = "drafted" };
        message.From.Add(MailboxAddress.Parse("bob@example.test"));
        message.Body = new TextPart("plain") { Text = "appended\r\n" };
        var date = new DateTimeOffset(2024, 3, 1, 12, 30, 0, TimeSpan.FromHours(2));
        var appended = await dev.AppendAsync(message, MessageFlags.Seen | MessageFlags.Draft, date);
        Assert.NotNull(appended);

        await archive.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(3, archive.Count);
        var archived = await archive.FetchAsync(0, -1, MessageSummaryItems.Flags | MessageSummaryItems.Envelope | MessageSummaryItems.UniqueId);
        Assert.Contains(archived, s => s.Keywords.Contains("$Important"));
        Assert.Equal(copied.Destination.Concat(moved.Destination), archived.Select(s => s.UniqueId));

        await dev.OpenAsync(FolderAccess.ReadOnly);
        var draft = Assert.Single(await dev.FetchAsync(0, -1, MessageSummaryItems.Flags | MessageSummaryItems.InternalDate | MessageSummaryItems.UniqueId));
        Assert.Equal(appended!.Value, draft.UniqueId);
        Assert.True(draft.Flags!.Value.HasFlag(MessageFlags.Draft));
        Assert.Equal(date, draft.InternalDate);

        // The Maildir on disk says the same (Dovecot could read it): flags in the names, folders as .Lists.dev.
        var maildir = _engine.Host.Maildirs.MaildirPath("bob@example.test");
        Assert.Single(Directory.GetFiles(Path.Combine(maildir, ".Lists.dev", "cur"), "*:2,DS"));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(maildir, "cur")).Length);
    }

    [Fact]
    public async Task Idle_sees_a_delivery_and_another_sessions_expunge_and_flags()
    {
        await _engine.DeliverAsync("alice@example.test", "first");
        using var watcher = await _engine.ConnectImapAsync();
        using var actor = await _engine.ConnectImapAsync();
        await watcher.Inbox.OpenAsync(FolderAccess.ReadWrite);
        await actor.Inbox.OpenAsync(FolderAccess.ReadWrite);
        Assert.Equal(1, watcher.Inbox.Count);

        var arrived = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var expunged = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flagged = new TaskCompletionSource<MessageFlags>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Inbox.CountChanged += (_, _) => { if (watcher.Inbox.Count == 2) arrived.TrySetResult(2); };
        watcher.Inbox.MessageExpunged += (_, e) => expunged.TrySetResult(e.Index);
        watcher.Inbox.MessageFlagsChanged += (_, e) => flagged.TrySetResult(e.Flags);

        using var done = new CancellationTokenSource();
        var idle = watcher.IdleAsync(done.Token);

        await _engine.DeliverAsync("alice@example.test", "second");
        Assert.Equal(2, await arrived.Task.WaitAsync(TimeSpan.FromSeconds(20)));

        await actor.Inbox.AddFlagsAsync(0, MessageFlags.Flagged, true);
        Assert.True((await flagged.Task.WaitAsync(TimeSpan.FromSeconds(20))).HasFlag(MessageFlags.Flagged));

        await actor.Inbox.AddFlagsAsync(0, MessageFlags.Deleted, true);
        await actor.Inbox.ExpungeAsync();
        Assert.Equal(0, await expunged.Task.WaitAsync(TimeSpan.FromSeconds(20)));

        await done.CancelAsync();
        await idle;
        Assert.Equal(1, watcher.Inbox.Count);
        var left = await watcher.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope);
        Assert.Equal("second", Assert.Single(left).Envelope!.Subject);
    }

    [Fact]
    public async Task Noop_reports_what_another_session_did()
    {
        using var first = await _engine.ConnectImapAsync();
        await first.Inbox.OpenAsync(FolderAccess.ReadWrite);
        Assert.Equal(0, first.Inbox.Count);
        using var second = await _engine.ConnectImapAsync();
        var message = new MimeMessage { Subject = "appended elsewhere" };
        message.From.Add(MailboxAddress.Parse("alice@example.test"));
        message.Body = new TextPart("plain") { Text = "x\r\n" };
        var uid = await second.Inbox.AppendAsync(message);
        await first.NoOpAsync();
        Assert.Equal(1, first.Inbox.Count);
        var summary = Assert.Single(await first.Inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId));
        Assert.Equal(uid, summary.UniqueId);
    }

    [Fact]
    public async Task Quota_shows_usage_and_limit_and_refuses_an_append_over_it()
    {
        using var client = await _engine.ConnectImapAsync("dave@example.test");
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Quota));
        var quota = await client.Inbox.GetQuotaAsync();
        Assert.Equal(2u, quota.StorageLimit); // 2 KiB
        Assert.Equal(0u, quota.CurrentStorageSize);

        var message = new MimeMessage { Subject = "too big" };
        message.From.Add(MailboxAddress.Parse("dave@example.test"));
        message.Body = new TextPart("plain") { Text = new string('x', 4000) };
        var e = await Assert.ThrowsAsync<ImapCommandException>(() => client.Inbox.AppendAsync(message));
        Assert.Equal(ImapCommandResponse.No, e.Response);
        Assert.Contains("quota", e.ResponseText, StringComparison.OrdinalIgnoreCase);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(0, client.Inbox.Count);
    }

    [Fact]
    public async Task Folders_are_created_renamed_subscribed_and_deleted()
    {
        using var client = await _engine.ConnectImapAsync();
        var root = client.GetFolder(client.PersonalNamespaces[0]);
        var projects = (await root.CreateAsync("Projects", true))!;
        var alpha = (await projects.CreateAsync("alpha", true))!;
        await alpha.SubscribeAsync();
        Assert.Contains(await root.GetSubfoldersAsync(false), f => f.FullName == "Projects");
        Assert.Contains((await client.GetFoldersAsync(client.PersonalNamespaces[0], StatusItems.None, true)).Select(f => f.FullName), n => n == "Projects/alpha");

        await projects.RenameAsync(root, "Work");
        var names = (await client.GetFoldersAsync(client.PersonalNamespaces[0], StatusItems.None, false)).Select(f => f.FullName).ToList();
        Assert.Contains("Work", names);
        Assert.Contains("Work/alpha", names);
        Assert.DoesNotContain("Projects", names);
        Assert.Contains((await client.GetFoldersAsync(client.PersonalNamespaces[0], StatusItems.None, true)).Select(f => f.FullName), n => n == "Work/alpha");

        var work = await client.GetFolderAsync("Work");
        var e = await Assert.ThrowsAsync<ImapCommandException>(() => work.DeleteAsync());
        Assert.Contains("children", e.ResponseText, StringComparison.OrdinalIgnoreCase);
        await (await client.GetFolderAsync("Work/alpha")).DeleteAsync();
        await work.DeleteAsync();
        Assert.DoesNotContain((await client.GetFoldersAsync(client.PersonalNamespaces[0], StatusItems.None, false)).Select(f => f.FullName), n => n.StartsWith("Work", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Moving_into_Junk_and_back_raises_learn_events()
    {
        await _engine.DeliverAsync("alice@example.test", "cheap pills");
        var events = new List<MailEngine.Store.LearnEvent>();
        _engine.Host.Learning.Raised += e => { lock (events) events.Add(e); };
        using var client = await _engine.ConnectImapAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var junk = client.GetFolder(SpecialFolder.Junk)!;
        await client.Inbox.MoveToAsync(0, junk);
        await junk.OpenAsync(FolderAccess.ReadWrite);
        await junk.MoveToAsync(0, client.Inbox);

        // The events name the user and the kind; the scanner's learner consumes their files (SpamPipelineTests).
        Assert.Equal([("alice@example.test", true), ("alice@example.test", false)], events.Select(e => (e.Address, e.Spam)));
    }
}
