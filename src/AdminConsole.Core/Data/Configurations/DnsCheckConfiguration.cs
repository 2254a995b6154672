using AdminConsole.Core.Dns;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class DnsCheckConfiguration : IEntityTypeConfiguration<DnsCheck>
{
    public void Configure(EntityTypeBuilder<DnsCheck> builder)
    {
        builder.ToTable("dns_checks");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => new { c.DomainId, c.CheckedAt });
        builder.Property(c => c.Result).HasColumnType("jsonb");
        builder.HasOne(c => c.Domain).WithMany().HasForeignKey(c => c.DomainId).OnDelete(DeleteBehavior.Cascade);
    }
}
