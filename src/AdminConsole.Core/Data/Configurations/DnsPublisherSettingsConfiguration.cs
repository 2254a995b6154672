using AdminConsole.Core.Dns;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class DnsPublisherSettingsConfiguration : IEntityTypeConfiguration<DnsPublisherSettings>
{
    public void Configure(EntityTypeBuilder<DnsPublisherSettings> builder)
    {
        builder.ToTable("dns_publisher_settings");
        builder.HasKey(s => s.DomainId);
        builder.Property(s => s.Server).HasMaxLength(300);
        builder.Property(s => s.Zone).HasMaxLength(253);
        builder.Property(s => s.KeyName).HasMaxLength(253);
        builder.Property(s => s.Algorithm).HasMaxLength(32);
        builder.HasOne(s => s.Domain).WithOne().HasForeignKey<DnsPublisherSettings>(s => s.DomainId).OnDelete(DeleteBehavior.Cascade);
    }
}
