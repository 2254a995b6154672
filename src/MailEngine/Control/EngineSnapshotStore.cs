using System.Text.Json;
using MailEngine.Contracts;
using MailEngine.Storage;
using Microsoft.Extensions.Logging;

namespace MailEngine.Control;


/// <summary>
/// Holds the snapshot the engine runs. Applying one builds its index, writes it to the state folder
/// (mode 0600, durably), then swaps it in with one reference assignment, so a session sees either
/// the old snapshot or the new one, never a mixture. At start the last applied snapshot is read back,
/// so mail keeps flowing while the console or PostgreSQL is down.
/// </summary>
public sealed class EngineSnapshotStore
{
    public const string FileName = "snapshot.json";

    private readonly string _path;
    private readonly TimeProvider _clock;
    private readonly ILogger<EngineSnapshotStore> _logger;
    private readonly SealedSnapshotFile _file;
    private readonly Lock _applyGate = new();
    private volatile SnapshotIndex _current = new(EngineSnapshot.Empty);
    private volatile EngineStatus _status = new(0, null, null, null);

    public EngineSnapshotStore(string stateDirectory, SealedSnapshotFile file, TimeProvider clock, ILogger<EngineSnapshotStore> logger)
    {
        _file = file;
        Directory.CreateDirectory(stateDirectory);
        _path = Path.Combine(stateDirectory, FileName);
        _clock = clock;
        _logger = logger;
    }

    public SnapshotIndex Current => _current;

    public EngineStatus Status => _status;

    /// <summary>Reads the last applied snapshot from the state folder, if there is one.</summary>
    public void LoadFromDisk()
    {
        if (!File.Exists(_path)) return;
        try
        {
            var snapshot = _file.Read(_path, out var wasPlain);
            if (wasPlain)
            {
                // Saved before snapshots were encrypted: sealed now, so no hash stays in clear on disk.
                _file.Write(_path, snapshot);
                _logger.LogInformation("Encrypted the saved snapshot at {Path}", _path);
            }

            _current = new SnapshotIndex(snapshot.WithDefaults(), _clock);
            _status = new EngineStatus(snapshot.Version, new DateTimeOffset(File.GetLastWriteTimeUtc(_path), TimeSpan.Zero), null, null);
            _logger.LogInformation("Loaded snapshot version {Version} from {Path}", snapshot.Version, _path);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or FormatException or IOException or System.Security.Cryptography.CryptographicException)
        {
            _status = _status with { LastError = $"The saved snapshot could not be read: {e.Message}", LastErrorAt = _clock.GetUtcNow() };
            _logger.LogError(e, "The saved snapshot at {Path} could not be read; serving an empty one until the console pushes", _path);
        }
    }

    /// <summary>Applies a snapshot. An older version than the one running is refused; the same version again is a no-op.</summary>
    public EngineStatus Apply(EngineSnapshot snapshot)
    {
        snapshot = snapshot.WithDefaults();
        lock (_applyGate)
        {
            var running = _current.Version;
            if (snapshot.Version < running)
                return Fail($"Refused snapshot version {snapshot.Version}: version {running} is already applied.");
            if (snapshot.Version == running && running != 0) return _status;

            SnapshotIndex index;
            try
            {
                index = new SnapshotIndex(snapshot, _clock);
                _file.Write(_path, snapshot);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                return Fail($"Snapshot version {snapshot.Version} could not be applied: {e.Message}");
            }

            _current = index;
            _status = new EngineStatus(snapshot.Version, _clock.GetUtcNow(), null, null);
            _logger.LogInformation("Applied snapshot version {Version}: {Domains} domains, {Mailboxes} mailboxes, {Aliases} groups",
                snapshot.Version, snapshot.Domains.Count, snapshot.Mailboxes.Count, snapshot.Aliases.Count);
            return _status;
        }
    }

    private EngineStatus Fail(string message)
    {
        _logger.LogWarning("{Message}", message);
        _status = _status with { LastError = message, LastErrorAt = _clock.GetUtcNow() };
        return _status;
    }
}
