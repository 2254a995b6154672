using MailEngine.Addressing;
using AdminConsole.Core.Mailboxes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class MailboxConfiguration : IEntityTypeConfiguration<Mailbox>
{
    public void Configure(EntityTypeBuilder<Mailbox> builder)
    {
        builder.ToTable("mailboxes", t =>
        {
            t.HasCheckConstraint("ck_mailboxes_quota_positive", "quota_bytes > 0");
            t.HasCheckConstraint("ck_mailboxes_address_lower", "address = lower(address)");
        });
        builder.HasKey(m => m.Id);
        builder.Property(m => m.LocalPart).HasMaxLength(EmailAddress.MaxLocalPartOctets);
        builder.Property(m => m.Address).HasMaxLength(EmailAddress.MaxAddressOctets);
        builder.HasIndex(m => m.Address).IsUnique();
        builder.HasIndex(m => new { m.DomainId, m.LocalPart }).IsUnique();
        // The grid's sorts (address is the tie-breaker) and its substring search (trigram indexes).
        builder.HasIndex(m => new { m.CreatedAt, m.Address });
        builder.HasIndex(m => new { m.QuotaBytes, m.Address });
        builder.HasIndex(m => new { m.DisplayName, m.Address });
        builder.HasIndex(m => m.Address, "ix_mailboxes_address_trgm").HasDatabaseName("ix_mailboxes_address_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
        builder.HasIndex(m => m.DisplayName, "ix_mailboxes_display_name_trgm").HasDatabaseName("ix_mailboxes_display_name_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
        builder.Property(m => m.DisplayName).HasMaxLength(200);
        builder.Property(m => m.UpdatedAt).IsConcurrencyToken();
        builder.Property(m => m.PasswordHash).HasMaxLength(300);
        builder.HasOne(m => m.Domain).WithMany(d => d.Mailboxes).HasForeignKey(m => m.DomainId).OnDelete(DeleteBehavior.Restrict);
    }
}
