using AdminConsole.Core.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class AlertNotificationConfiguration : IEntityTypeConfiguration<AlertNotification>
{
    public void Configure(EntityTypeBuilder<AlertNotification> builder)
    {
        builder.ToTable("alert_notifications");
        builder.HasKey(n => n.Id);
        builder.HasIndex(n => n.At);
        builder.Property(n => n.Channel).HasMaxLength(100);
        builder.Property(n => n.RuleId).HasMaxLength(100);
        builder.Property(n => n.Subject).HasMaxLength(500);
        builder.Property(n => n.Kind).HasMaxLength(20);
    }
}
