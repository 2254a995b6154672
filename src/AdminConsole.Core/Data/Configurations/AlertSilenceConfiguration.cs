using AdminConsole.Core.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class AlertSilenceConfiguration : IEntityTypeConfiguration<AlertSilence>
{
    public void Configure(EntityTypeBuilder<AlertSilence> builder)
    {
        builder.ToTable("alert_silences");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.Until);
        builder.Property(s => s.RuleId).HasMaxLength(100);
        builder.Property(s => s.SubjectContains).HasMaxLength(500);
    }
}
