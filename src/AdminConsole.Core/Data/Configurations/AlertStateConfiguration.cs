using AdminConsole.Core.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class AlertStateConfiguration : IEntityTypeConfiguration<AlertState>
{
    public void Configure(EntityTypeBuilder<AlertState> builder)
    {
        builder.ToTable("alert_states");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => new { a.RuleId, a.Subject }).IsUnique();
        builder.Property(a => a.RuleId).HasMaxLength(100);
        builder.Property(a => a.Subject).HasMaxLength(500);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(20);
    }
}
