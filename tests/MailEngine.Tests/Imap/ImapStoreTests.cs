using MailEngine.Imap;
using MailEngine.Store;
using MailEngine.Tests.Support;
using MailKit;
using MessageFlags = MailKit.MessageFlags;
using MailKit.Net.Imap;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace MailEngine.Tests.Imap;

/// <summary>The folder index: rebuilt from the Maildir without losing UIDs or flags; Trash and Junk expiry; CONDSTORE.</summary>
public sealed class ImapStoreTests
{
    [Theory]
    [InlineData("delete")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    public async Task A_lost_or_corrupt_index_is_rebuilt_with_the_same_UIDs_and_flags(string damage)
    {
        var root = Directory.CreateTempSubdirectory("imap-index").FullName;
        try
        {
            List<(UniqueId Uid, MessageFlags Flags, string? Subject)> before;
            uint validity;
            await using (var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), root: root))
            {
                for (var i = 0; i < 6; i++) await engine.DeliverAsync("alice@example.test", $"m{i}");
                using var client = await engine.ConnectImapAsync();
                await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
                await client.Inbox.AddFlagsAsync([new UniqueId(2)], MessageFlags.Seen | MessageFlags.Flagged, true);
                await client.Inbox.AddFlagsAsync([new UniqueId(4)], MessageFlags.Answered, new HashSet<string> { "$Work" }, true);
                await client.Inbox.AddFlagsAsync([new UniqueId(5)], MessageFlags.Deleted, true);
                await client.Inbox.ExpungeAsync();
                validity = client.Inbox.UidValidity;
                before = (await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.Envelope))
                    .Select(s => (s.UniqueId, s.Flags!.Value & ~MessageFlags.Recent, s.Envelope!.Subject)).ToList();
                await client.DisconnectAsync(true);
            }

            var index = Path.Combine(root, "mail", "example.test", "alice", "Maildir", "imap.index");
            Assert.True(File.Exists(index));
            switch (damage)
            {
                case "delete": File.Delete(index); break;
                case "truncate": File.WriteAllBytes(index, File.ReadAllBytes(index)[..40]); break;
                default: File.WriteAllText(index, "not an index at all"); break;
            }

            await using (var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), root: root))
            {
                using var client = await engine.ConnectImapAsync();
                await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
                Assert.Equal(validity, client.Inbox.UidValidity);
                var after = (await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.Envelope | MessageSummaryItems.Fast))
                    .Select(s => (s.UniqueId, s.Flags!.Value & ~MessageFlags.Recent, s.Envelope!.Subject)).ToList();
                Assert.Equal(before, after);
                Assert.Contains("$Work", (await client.Inbox.FetchAsync([new UniqueId(4)], MessageSummaryItems.Flags))[0].Keywords);
                Assert.Equal(7u, client.Inbox.UidNext!.Value.Id);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Trash_and_Junk_lose_messages_past_their_retention_and_keep_newer_ones()
    {
        var root = Directory.CreateTempSubdirectory("imap-expiry").FullName;
        try
        {
            var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var store = new MailEngine.Store.MaildirStore(Path.Combine(root, "mail"), "mx.example.test");
            var registry = new MailFolderRegistry(store, clock);
            var snapshots = new MailEngine.Control.EngineSnapshotStore(Path.Combine(root, "state"), new MailEngine.Control.SealedSnapshotFile(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), clock, NullLogger<MailEngine.Control.EngineSnapshotStore>.Instance);
            snapshots.Apply(TestEngine.StandardSnapshot());
            var address = "alice@example.test";
            new MailAccount(registry, address).EnsureDefaults();

            void Put(string folder)
            {
                var f = registry.Acquire(address, folder);
                f.Append("Subject: x\r\n\r\ny\r\n"u8, MailEngine.Store.MessageFlags.None, 0, false, clock.GetUtcNow());
                registry.Release(f);
            }

            Put("Trash");
            Put("Junk");
            clock.Advance(TimeSpan.FromDays(20));
            Put("Trash");
            clock.Advance(TimeSpan.FromDays(11)); // first Trash message is 31 days old, second 11, Junk 31

            var expiry = new FolderExpiry(registry, snapshots, new ImapOptions(), clock, NullLogger.Instance);
            Assert.Equal(1, expiry.Run());
            Assert.Single(registry.Acquire(address, "Trash").Messages());
            Assert.Single(registry.Acquire(address, "Junk").Messages());

            clock.Advance(TimeSpan.FromDays(30)); // Junk message 61 days old, second Trash message 41
            Assert.Equal(2, expiry.Run());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Condstore_reports_modseqs_and_refuses_a_store_on_a_changed_message()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());
        for (var i = 0; i < 3; i++) await engine.DeliverAsync("alice@example.test", $"m{i}");
        using var client = await engine.ConnectImapAsync();
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.CondStore));
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite);
        var highest = inbox.HighestModSeq;
        Assert.True(highest > 0);
        await inbox.AddFlagsAsync([new UniqueId(2)], MessageFlags.Seen, true);
        var changed = await inbox.FetchAsync(0, -1, highest, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.ModSeq);
        var only = Assert.Single(changed);
        Assert.Equal(2u, only.UniqueId.Id);
        Assert.True(only.ModSeq > highest);

        // UNCHANGEDSINCE older than the message's MODSEQ: the store is refused for it.
        var unmodified = await inbox.StoreAsync(new List<UniqueId> { new(2), new(3) }, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Flagged) { Silent = true, UnchangedSince = highest });
        Assert.Equal([new UniqueId(2)], unmodified);
        var flags = await inbox.FetchAsync([new UniqueId(2), new UniqueId(3)], MessageSummaryItems.Flags);
        Assert.False(flags[0].Flags!.Value.HasFlag(MessageFlags.Flagged));
        Assert.True(flags[1].Flags!.Value.HasFlag(MessageFlags.Flagged));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A//B")]
    [InlineData("/A")]
    [InlineData("A\u0000B")]
    public void A_name_without_a_directory_of_its_own_is_no_folder(string name)
    {
        var store = new MailEngine.Store.MaildirStore(Path.Combine(Path.GetTempPath(), "names-" + Guid.NewGuid().ToString("N")), "mx.example.test");
        Assert.False(MailEngine.Store.MaildirStore.IsFolderName(name));
        Assert.False(store.FolderExists("alice@example.test", name));
        Assert.Throws<ArgumentException>(() => store.FolderPath("alice@example.test", name));
        Assert.True(MailEngine.Store.MaildirStore.IsFolderName("A/B.c"));
    }

    /// <summary>
    /// Several sessions selecting a folder with new mail at the same moment (a client's parallel
    /// connections, or many clients after a burst of deliveries) all see every message: each used
    /// to open the folder itself, moving part of new/ to cur/, and one was left seeing fewer.
    /// </summary>
    [Fact]
    public async Task Sessions_that_select_a_folder_at_the_same_moment_all_see_every_new_message()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot());
        for (var round = 0; round < 4; round++)
        {
            var clients = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => engine.ConnectImapAsync()));
            try
            {
                for (var i = 0; i < 8; i++) await engine.DeliverAsync("alice@example.test", $"r{round} m{i}");
                var expected = (round + 1) * 8;
                var counts = await Task.WhenAll(clients.Select(async c =>
                {
                    await c.Inbox.OpenAsync(FolderAccess.ReadOnly);
                    return c.Inbox.Count;
                }));
                Assert.All(counts, count => Assert.Equal(expected, count));
            }
            finally
            {
                foreach (var client in clients)
                {
                    await client.DisconnectAsync(true);
                    client.Dispose();
                }
            }
        }
    }

    /// <summary>
    /// A user's sessions changing subscriptions at the same moment (a client opening several
    /// connections at once, each making the default folders at its first login, then subscribing)
    /// lose no subscription and leave the file whole. Each session used to read-modify-write the
    /// file through one fixed temporary name: updates were lost, and one session's rename could
    /// take the other's file away ("Could not find file …/subscriptions", the session cut after LOGIN).
    /// </summary>
    [Fact]
    public void Sessions_that_subscribe_at_the_same_moment_lose_no_subscription()
    {
        var root = Directory.CreateTempSubdirectory("imap-subscriptions").FullName;
        try
        {
            var store = new MailEngine.Store.MaildirStore(Path.Combine(root, "mail"), "mx.example.test");
            var registry = new MailFolderRegistry(store, TimeProvider.System);
            const string address = "alice@example.test";
            const int sessions = 8, each = 40;
            var names = Enumerable.Range(0, sessions).SelectMany(session => Enumerable.Range(0, each).Select(i => $"S{session}/F{i}")).ToList();
            var start = new Barrier(sessions);
            var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
            var threads = Enumerable.Range(0, sessions).Select(session => new Thread(() =>
            {
                try
                {
                    var account = new MailAccount(registry, address);
                    start.SignalAndWait();
                    account.EnsureDefaults();
                    for (var i = 0; i < each; i++) account.Subscribe($"S{session}/F{i}", true);
                }
                catch (Exception e)
                {
                    failures.Add(e);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.Empty(failures);

            var expected = MailAccount.SpecialUse.Select(s => s.Name).Concat(names).Order(StringComparer.Ordinal);
            var maildir = store.MaildirPath(address);
            Assert.Equal(expected, File.ReadAllLines(Path.Combine(maildir, "subscriptions")));
            Assert.Empty(Directory.GetFiles(maildir, "*.tmp"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
