using AdminConsole.Core.Filters;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class SieveFilterConfiguration : IEntityTypeConfiguration<SieveFilter>
{
    public void Configure(EntityTypeBuilder<SieveFilter> builder)
    {
        builder.ToTable("sieve_filters");
        builder.HasKey(f => f.Id);
        builder.HasIndex(f => f.MailboxId).IsUnique();
        // The engine refuses scripts over 64 KiB (SieveLimits.MaxScriptBytes); characters are at most that many.
        builder.Property(f => f.Script).HasMaxLength(64 * 1024);
        builder.Property(f => f.UpdatedBy).HasMaxLength(300);
        builder.Property(f => f.UpdatedAt).IsConcurrencyToken();
        builder.HasOne(f => f.Mailbox).WithMany().HasForeignKey(f => f.MailboxId).OnDelete(DeleteBehavior.Cascade);
    }
}
