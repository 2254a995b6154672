using AdminConsole.Core.Dkim;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class DkimKeyConfiguration : IEntityTypeConfiguration<DkimKey>
{
    public void Configure(EntityTypeBuilder<DkimKey> builder)
    {
        builder.ToTable("dkim_keys");
        builder.HasKey(k => k.Id);
        builder.HasIndex(k => new { k.DomainId, k.Selector }).IsUnique();
        builder.Property(k => k.Selector).HasMaxLength(63);
        builder.Property(k => k.Algorithm).HasConversion<string>().HasMaxLength(16);
        builder.Property(k => k.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(k => k.PublicKey).HasMaxLength(1024);
        builder.HasOne(k => k.Domain).WithMany(d => d.DkimKeys).HasForeignKey(k => k.DomainId).OnDelete(DeleteBehavior.Cascade);
    }
}
