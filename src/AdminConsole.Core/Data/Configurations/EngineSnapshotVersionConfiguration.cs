using AdminConsole.Core.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class EngineSnapshotVersionConfiguration : IEntityTypeConfiguration<EngineSnapshotVersion>
{
    public void Configure(EntityTypeBuilder<EngineSnapshotVersion> builder)
    {
        builder.ToTable("engine_snapshot_versions");
        builder.HasKey(v => v.Version);
        builder.Property(v => v.Version).UseIdentityAlwaysColumn();
        builder.Property(v => v.ContentHash).HasMaxLength(32);
        // Sealed bytes (SnapshotCipher), not jsonb: nothing queries inside a snapshot, it holds password
        // hashes and keys, and parsing 20 MB of JSON into jsonb on every publish was most of a push's time
        // with 100,000 mailboxes (bench/directory.sh).
        builder.Property(v => v.Content).HasColumnType("bytea");
    }
}

internal sealed class EngineSnapshotChunkConfiguration : IEntityTypeConfiguration<EngineSnapshotChunk>
{
    public void Configure(EntityTypeBuilder<EngineSnapshotChunk> builder)
    {
        builder.ToTable("engine_snapshot_chunks");
        builder.HasKey(c => c.Hash);
        builder.Property(c => c.Hash).HasMaxLength(64);
        builder.Property(c => c.Content).HasColumnType("bytea");
    }
}
