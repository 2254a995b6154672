using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailEngine.Contracts;

namespace AdminConsole.Core.Engine;

/// <summary>
/// How a snapshot is stored in PostgreSQL: a small head (domains, groups, policy, certificates) and the
/// mailboxes in content-addressed chunks. A mailbox belongs to one of <see cref="Buckets"/> buckets by a
/// stable hash of its address, so a change to one mailbox changes one chunk, and a push stores that
/// chunk (a few hundred kilobytes with 100,000 mailboxes) instead of all 20 MB again.
/// </summary>
public static class SnapshotChunks
{
    public const int Buckets = 128;

    /// <param name="Hash">SHA-256 of the chunk's JSON, lower-case hex: its key in engine_snapshot_chunks.</param>
    public sealed record Chunk(string Hash, string Json);

    /// <param name="ContentHash">Over the head and the chunk hashes: equal exactly when the snapshots are.</param>
    public sealed record Stored(string Head, IReadOnlyList<Chunk> Chunks, byte[] ContentHash);

    public static Stored Split(EngineSnapshot snapshot)
    {
        var buckets = snapshot.Mailboxes.GroupBy(m => Bucket(m.Address)).OrderBy(g => g.Key).Select(g => g.ToList()).ToArray();
        var chunks = new Chunk[buckets.Length];
        // Serializing 20 MB is the larger part of a push; the buckets are independent.
        Parallel.For(0, buckets.Length, i =>
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(buckets[i], SnapshotJson.Default.ListSnapshotMailbox);
            chunks[i] = new Chunk(Convert.ToHexStringLower(SHA256.HashData(json)), Encoding.UTF8.GetString(json));
        });

        var head = JsonSerializer.SerializeToUtf8Bytes(snapshot with { Mailboxes = [] }, SnapshotJson.Default.EngineSnapshot);
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(head)) + string.Concat(chunks.Select(c => c.Hash))));
        return new Stored(Encoding.UTF8.GetString(head), chunks, hash);
    }

    /// <summary>The snapshot again from its head and chunks, mailboxes in address order as compiled.</summary>
    public static EngineSnapshot Assemble(string head, IEnumerable<string> chunks)
    {
        var snapshot = JsonSerializer.Deserialize(head, SnapshotJson.Default.EngineSnapshot) ?? throw new JsonException("The snapshot head is empty.");
        var mailboxes = chunks.SelectMany(c => JsonSerializer.Deserialize(c, SnapshotJson.Default.ListSnapshotMailbox) ?? []).ToList();
        mailboxes.Sort((a, b) => string.CompareOrdinal(a.Address, b.Address));
        return snapshot with { Mailboxes = mailboxes };
    }

    /// <summary>FNV-1a over the address's UTF-8 bytes: the same bucket in every process (string.GetHashCode is randomized).</summary>
    public static int Bucket(string address)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(address)) hash = (hash ^ b) * 16777619u;
        return (int)(hash % Buckets);
    }
}

/// <summary>One chunk of mailboxes, shared by every version that has the same chunk.</summary>
public sealed class EngineSnapshotChunk
{
    /// <summary>SHA-256 of the chunk's JSON in clear, lower-case hex.</summary>
    public required string Hash { get; set; }

    /// <summary>The chunk's JSON sealed by <see cref="SnapshotCipher"/> (it holds password hashes).</summary>
    public required byte[] Content { get; set; }
}
