using AdminConsole.Core.Spam;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class SpamRuleOverrideConfiguration : IEntityTypeConfiguration<SpamRuleOverride>
{
    public void Configure(EntityTypeBuilder<SpamRuleOverride> builder)
    {
        builder.ToTable("spam_rule_overrides");
        builder.HasKey(o => o.Id);
        builder.HasIndex(o => new { o.DomainId, o.RuleName }).IsUnique();
        builder.Property(o => o.RuleName).HasMaxLength(64);
        builder.Property(o => o.UpdatedBy).HasMaxLength(300);
        builder.HasOne(o => o.Domain).WithMany(d => d.SpamRuleOverrides).HasForeignKey(o => o.DomainId).OnDelete(DeleteBehavior.Cascade);
    }
}
