using AdminConsole.Core.Vacation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class VacationRuleConfiguration : IEntityTypeConfiguration<VacationRule>
{
    public void Configure(EntityTypeBuilder<VacationRule> builder)
    {
        builder.ToTable("vacation_rules", t =>
        {
            t.HasCheckConstraint("ck_vacation_rules_interval", "reply_interval_days BETWEEN 1 AND 365");
            t.HasCheckConstraint("ck_vacation_rules_period", "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at");
        });
        builder.HasKey(v => v.Id);
        builder.HasIndex(v => v.MailboxId).IsUnique();
        builder.Property(v => v.Subject).HasMaxLength(200);
        builder.Property(v => v.Body).HasMaxLength(10_000);
        builder.Property(v => v.UpdatedBy).HasMaxLength(300);
        builder.HasOne(v => v.Mailbox).WithOne(m => m.Vacation).HasForeignKey<VacationRule>(v => v.MailboxId).OnDelete(DeleteBehavior.Cascade);
    }
}
