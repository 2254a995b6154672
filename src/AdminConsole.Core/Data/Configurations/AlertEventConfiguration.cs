using AdminConsole.Core.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class AlertEventConfiguration : IEntityTypeConfiguration<AlertEvent>
{
    public void Configure(EntityTypeBuilder<AlertEvent> builder)
    {
        builder.ToTable("alert_events");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => a.At);
        builder.Property(a => a.RuleId).HasMaxLength(100);
        builder.Property(a => a.Subject).HasMaxLength(500);
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
    }
}
