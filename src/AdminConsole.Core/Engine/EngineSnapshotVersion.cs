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
    /// The snapshot as JSON, so every engine (in any console process, or a remote node) applies the
    /// same version whichever job server compiled it. Holds password hashes, never passwords.
    /// </summary>
    public required string Content { get; set; }
}
