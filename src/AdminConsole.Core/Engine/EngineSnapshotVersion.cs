namespace AdminConsole.Core.Engine;

/// <summary>
/// One compiled snapshot version: its number is the desired version the console shows, its hash
/// tells whether the desired state changed since (an unchanged state keeps its version).
/// </summary>
public sealed class EngineSnapshotVersion
{
    public long Version { get; set; }
    public DateTimeOffset CompiledAt { get; set; }
    public required byte[] ContentHash { get; set; }
    public int Domains { get; set; }
    public int Mailboxes { get; set; }
    public int Groups { get; set; }

    /// <summary>
    /// The snapshot's head as JSON (everything but the mailboxes), sealed by <see cref="SnapshotCipher"/>,
    /// so every engine (in any console process, or a remote node) applies the same version whichever job
    /// server compiled it, and the database never holds it in clear.
    /// </summary>
    public required byte[] Content { get; set; }

    /// <summary>The hashes of the mailbox chunks, in bucket order (<see cref="SnapshotChunks"/>). They hold password hashes, never passwords.</summary>
    public List<string> MailboxChunks { get; set; } = [];
}
