using MailEngine.Control;
using MailEngine.Imap;
using Microsoft.Extensions.Logging;

namespace MailEngine.Store;

/// <summary>
/// Empties old mail from Trash and Junk (the seed's Dovecot autoexpunge: 30 and 60 days by default),
/// judged by when a message was put there, not by its date. Runs at start and then every hour.
/// </summary>
public sealed class FolderExpiry(MailFolderRegistry folders, EngineSnapshotStore snapshots, ImapOptions options, TimeProvider clock, ILogger logger)
{
    public int Run()
    {
        var removed = 0;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (name, days) in new[] { ("Trash", options.TrashRetentionDays), ("Junk", options.JunkRetentionDays) })
        {
            if (days <= 0) continue;
            var cutoff = now - (long)TimeSpan.FromDays(days).TotalMilliseconds;
            foreach (var mailbox in snapshots.Current.Snapshot.Mailboxes)
            {
                var path = folders.Store.FolderPath(mailbox.Address, name);
                if (!Directory.Exists(Path.Combine(path, "cur"))) continue;
                var folder = folders.Acquire(mailbox.Address, name);
                try
                {
                    var gone = folder.Expunge(m => m.SavedAt < cutoff);
                    removed += gone.Count;
                    if (gone.Count > 0) logger.LogInformation("Expired {Count} message(s) from {Folder} of {Address}", gone.Count, name, mailbox.Address);
                }
                finally
                {
                    folders.Release(folder);
                }
            }
        }

        return removed;
    }
}
