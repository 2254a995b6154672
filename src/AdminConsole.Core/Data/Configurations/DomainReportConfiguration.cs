using AdminConsole.Core.Reports;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class DomainReportConfiguration : IEntityTypeConfiguration<DomainReport>
{
    public void Configure(EntityTypeBuilder<DomainReport> builder)
    {
        builder.ToTable("domain_reports");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.Node, r.SourceId }).IsUnique();
        builder.HasIndex(r => new { r.DomainId, r.Kind, r.Begin });
        builder.Property(r => r.Node).HasMaxLength(100);
        builder.Property(r => r.SourceId).HasMaxLength(100);
        builder.Property(r => r.Kind).HasMaxLength(8);
        builder.Property(r => r.Organization).HasMaxLength(255);
        builder.Property(r => r.ReportId).HasMaxLength(255);
        builder.Property(r => r.Refused).HasMaxLength(1000);
        builder.Property(r => r.Content).HasColumnType("jsonb");
        builder.Ignore(r => r.Rows);
        builder.Ignore(r => r.Policies);
        builder.HasOne(r => r.Domain).WithMany().HasForeignKey(r => r.DomainId).OnDelete(DeleteBehavior.Cascade);
    }
}
