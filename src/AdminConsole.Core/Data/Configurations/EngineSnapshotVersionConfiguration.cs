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
        builder.Property(v => v.Content).HasColumnType("jsonb");
    }
}
