using MailEngine.Tests.Support;

namespace MailEngine.Tests.Storage;

/// <summary>No other local user reads mail or its metadata: files 0600, folders 0700 under the mail and state roots.</summary>
public sealed class PrivateFilesTests
{
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Everything_under_the_mail_and_state_roots_is_the_owners_alone_including_what_was_there_before()
    {
        var root = Directory.CreateTempSubdirectory("private").FullName;
        try
        {
            // A store from before the fix: a world-readable index and folder.
            var old = Directory.CreateDirectory(Path.Combine(root, "mail", "example.test", "old", "Maildir")).FullName;
            File.WriteAllText(Path.Combine(old, "imap.index"), "envelopes");
            File.SetUnixFileMode(Path.Combine(old, "imap.index"), (UnixFileMode)0b110_100_100);
            File.SetUnixFileMode(old, (UnixFileMode)0b111_101_101);

            await using (var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), root: root))
            {
                await engine.DeliverAsync("alice@example.test", "private");
                using var imap = await engine.ConnectImapAsync("alice@example.test");
                var inbox = imap.Inbox;
                await inbox.OpenAsync(MailKit.FolderAccess.ReadWrite);
                await imap.GetFolder("Archive").SubscribeAsync();
                await imap.DisconnectAsync(true);
            }

            var open = new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
                .Where(e => (File.GetUnixFileMode(e.FullName) & Others) != 0)
                .Select(e => $"{e.FullName} {File.GetUnixFileMode(e.FullName)}").ToList();
            Assert.True(open.Count == 0, "readable by others:\n" + string.Join("\n", open));
            Assert.Contains(new DirectoryInfo(root).EnumerateFiles("imap.index", SearchOption.AllDirectories), f => f.FullName.Contains("/alice/", StringComparison.Ordinal));
            Assert.Contains(new DirectoryInfo(root).EnumerateFiles("subscriptions", SearchOption.AllDirectories), f => f.FullName.Contains("/alice/", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
