using System.Security.Cryptography;
using System.Text.Json;
using MailEngine.Contracts;
using MailEngine.Storage;

namespace MailEngine.Control;

/// <summary>
/// The engine's saved snapshot (snapshot.json in the state folder), encrypted: it holds password
/// hashes and, with DKIM and TLS, private keys, so a copy of the state folder (a backup, a stolen disk)
/// must not give them away. AES-256-GCM under the node's own key, the credential file
/// "engine-state-key" (Base64 of 32 random bytes, <see cref="Hosting.EngineOptions.StateKeyFile"/>);
/// the file is also mode 0600. Layout: "MESNAP1\n", 12-byte nonce, 16-byte tag, ciphertext.
/// </summary>
public sealed class SealedSnapshotFile
{
    public const string KeyCredential = "engine-state-key";
    private static readonly byte[] Magic = "MESNAP1\n"u8.ToArray();
    private static readonly byte[] AssociatedData = "MailEngine.Snapshot.v1"u8.ToArray();
    private readonly byte[] _key;

    public SealedSnapshotFile(byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException("The engine state key is 32 bytes.", nameof(key));
        _key = key;
    }

    /// <summary>Reads the key file; a missing or malformed one stops the engine with what to do about it.</summary>
    public static SealedSnapshotFile FromKeyFile(string? path)
    {
        if (path is null || !File.Exists(path))
            throw new InvalidOperationException(
                $"The engine needs its state key (Base64 of 32 random bytes) in the credential file {KeyCredential}{(path is null ? "" : $" ({path})")}: " +
                "set Credentials:Directory or $CREDENTIALS_DIRECTORY, or Engine:StateKeyFile (deploy/lib.sh ensure_secret makes it).");
        try
        {
            return new SealedSnapshotFile(Convert.FromBase64String(File.ReadAllText(path).Trim()));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new InvalidOperationException($"The engine state key {path} must be Base64 of 32 random bytes.", e);
        }
    }

    public void Write(string path, EngineSnapshot snapshot)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(snapshot, SnapshotJson.Default.EngineSnapshot);
        try
        {
            var sealedBytes = new byte[Magic.Length + 12 + 16 + plaintext.Length];
            Magic.CopyTo(sealedBytes, 0);
            var nonce = sealedBytes.AsSpan(Magic.Length, 12);
            RandomNumberGenerator.Fill(nonce);
            using (var aes = new AesGcm(_key, 16))
                aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(Magic.Length + 28), sealedBytes.AsSpan(Magic.Length + 12, 16), AssociatedData);
            DurableFile.WriteAllBytes(path, sealedBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>
    /// The saved snapshot. A file written before snapshots were encrypted (plain JSON) is read once and
    /// reported, so the caller writes it again sealed.
    /// </summary>
    public EngineSnapshot Read(string path, out bool wasPlain)
    {
        var bytes = File.ReadAllBytes(path);
        wasPlain = !bytes.AsSpan().StartsWith(Magic);
        if (wasPlain)
            return JsonSerializer.Deserialize(bytes, SnapshotJson.Default.EngineSnapshot) ?? throw new InvalidDataException("empty snapshot file");
        if (bytes.Length < Magic.Length + 28) throw new InvalidDataException("The snapshot file is truncated.");
        var plaintext = new byte[bytes.Length - Magic.Length - 28];
        try
        {
            using (var aes = new AesGcm(_key, 16))
                aes.Decrypt(bytes.AsSpan(Magic.Length, 12), bytes.AsSpan(Magic.Length + 28), bytes.AsSpan(Magic.Length + 12, 16), plaintext, AssociatedData);
            return JsonSerializer.Deserialize(plaintext, SnapshotJson.Default.EngineSnapshot) ?? throw new InvalidDataException("empty snapshot file");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
