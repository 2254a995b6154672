using AdminConsole.Core.Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class CertificateEventConfiguration : IEntityTypeConfiguration<CertificateEvent>
{
    public void Configure(EntityTypeBuilder<CertificateEvent> builder)
    {
        builder.ToTable("certificate_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Step).HasMaxLength(32);
        builder.Property(e => e.Message).HasMaxLength(2000);
        builder.HasIndex(e => new { e.CertificateId, e.At });
    }
}
