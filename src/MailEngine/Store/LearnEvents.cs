using MailEngine.Storage;

namespace MailEngine.Store;

/// <summary>A user's verdict on a message, given by moving it into Junk (spam) or out of Junk to INBOX (ham).</summary>
public sealed record LearnEvent(string Address, bool Spam, string MessagePath, DateTimeOffset At);

/// <summary>
/// Learn-spam / learn-ham events (the seed's imapsieve report-spam/report-ham scripts). Each event
/// keeps a copy of the message in &lt;state&gt;/learn/{spam,ham}/ until the scanner has learned from it
/// (the scanner removes it), so no verdict is lost across a restart; <see cref="Raised"/> tells the
/// scanner in this process at once.
/// </summary>
public sealed class LearnEvents(string stateDirectory, TimeProvider clock)
{
    public string Directory { get; } = Path.Combine(stateDirectory, "learn");

    public event Action<LearnEvent>? Raised;

    public void Raise(string address, bool spam, byte[] message)
    {
        var folder = Path.Combine(Directory, spam ? "spam" : "ham");
        System.IO.Directory.CreateDirectory(folder);
        var now = clock.GetUtcNow();
        // The user is part of the name ("<ms>.<guid>_<address>.eml"), so a verdict read back after a restart still says whose it is.
        var path = Path.Combine(folder, $"{now.ToUnixTimeMilliseconds()}.{Guid.NewGuid():N}_{Uri.EscapeDataString(address)}.eml");
        DurableFile.WriteAllBytes(path, message);
        Raised?.Invoke(new LearnEvent(address, spam, path, now));
    }

    /// <summary>Events not yet consumed, oldest first.</summary>
    public IEnumerable<LearnEvent> Pending()
    {
        foreach (var (kind, spam) in new[] { ("spam", true), ("ham", false) })
        {
            var folder = Path.Combine(Directory, kind);
            if (!System.IO.Directory.Exists(folder)) continue;
            foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*.eml").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var address = name.IndexOf('_') is var at and >= 0 ? Uri.UnescapeDataString(name[(at + 1)..]) : string.Empty;
                yield return new LearnEvent(address, spam, file, File.GetLastWriteTimeUtc(file));
            }
        }
    }
}
