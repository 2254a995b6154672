using AdminConsole.Core.Engine;
using MailEngine.Contracts;
using MailEngine.Control;

namespace AdminConsole.Core.Tests.Engine;

public sealed class SnapshotChunksTests
{
    private static EngineSnapshot Snapshot(int mailboxes, Func<int, string>? name = null) => new()
    {
        Version = 0,
        CompiledAt = DateTimeOffset.UnixEpoch,
        Domains = [new SnapshotDomain("example.com", 1 << 20)],
        Mailboxes = [.. Enumerable.Range(0, mailboxes).Select(i => new SnapshotMailbox($"user{i:0000}@example.com", "{ARGON2ID}h" + i, 1 << 30, true, name?.Invoke(i) ?? ""))
            .OrderBy(m => m.Address, StringComparer.Ordinal)],
        Aliases = [new SnapshotAlias("all@example.com", ["user0001@example.com"])],
    };

    [Fact]
    public void A_stored_snapshot_reads_back_as_it_was_compiled()
    {
        var snapshot = Snapshot(2000) with { Mailboxes = [.. Snapshot(2000).Mailboxes.Select((m, i) => i == 7 ? m with { VacationSieve = "require \"vacation\";" } : m)] };
        var stored = SnapshotChunks.Split(snapshot);
        Assert.Contains("\"mailboxes\":[]", stored.Head, StringComparison.Ordinal); // mailboxes live in the chunks only
        var back = SnapshotChunks.Assemble(stored.Head, stored.Chunks.Select(c => c.Json));
        Assert.Equal(snapshot.Mailboxes, back.Mailboxes);
        Assert.Equal(snapshot.Domains, back.Domains);
        Assert.Equal(snapshot.Aliases.Single().Recipients, back.Aliases.Single().Recipients);
    }

    [Fact]
    public void A_change_to_one_mailbox_changes_one_chunk_and_the_content_hash()
    {
        var before = SnapshotChunks.Split(Snapshot(5000));
        var same = SnapshotChunks.Split(Snapshot(5000));
        var after = SnapshotChunks.Split(Snapshot(5000, i => i == 4242 ? "Renamed" : ""));

        Assert.Equal(before.ContentHash, same.ContentHash);
        Assert.NotEqual(before.ContentHash, after.ContentHash);
        Assert.Equal(SnapshotChunks.Buckets, before.Chunks.Count);
        Assert.Single(before.Chunks.Select(c => c.Hash).Except(after.Chunks.Select(c => c.Hash)));
    }

    [Fact]
    public void Buckets_are_FNV_1a_of_the_address_so_every_process_agrees() =>
        // 32-bit FNV-1a of the UTF-8 bytes, modulo 128, computed outside .NET; string.GetHashCode would differ per process.
        Assert.Equal(72, SnapshotChunks.Bucket("user0001@example.com"));
}
