using AdminConsole.Core.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.Property(e => e.Actor).HasMaxLength(300);
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.Target).HasMaxLength(300);
        builder.Property(e => e.Details).HasColumnType("jsonb");
        builder.Property(e => e.RemoteAddress).HasMaxLength(64);
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => new { e.Target, e.At });
        // The Audit page finds actors and objects by any part ("alice@example.com", "example.com"): ILIKE '%…%' on trigram indexes.
        builder.HasIndex(e => e.Actor, "ix_audit_events_actor_trgm").HasDatabaseName("ix_audit_events_actor_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
        builder.HasIndex(e => e.Target, "ix_audit_events_target_trgm").HasDatabaseName("ix_audit_events_target_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
        builder.HasIndex(e => new { e.Action, e.Id });
    }
}
