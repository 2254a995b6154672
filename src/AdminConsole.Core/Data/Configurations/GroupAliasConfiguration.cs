using MailEngine.Addressing;
using AdminConsole.Core.Groups;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class GroupAliasConfiguration : IEntityTypeConfiguration<GroupAlias>
{
    public void Configure(EntityTypeBuilder<GroupAlias> builder)
    {
        builder.ToTable("group_aliases", t => t.HasCheckConstraint("ck_group_aliases_address_lower", "address = lower(address)"));
        builder.HasKey(g => g.Id);
        builder.Property(g => g.LocalPart).HasMaxLength(EmailAddress.MaxLocalPartOctets);
        builder.Property(g => g.Address).HasMaxLength(EmailAddress.MaxAddressOctets);
        builder.HasIndex(g => g.Address).IsUnique();
        builder.HasIndex(g => new { g.DomainId, g.LocalPart }).IsUnique();
        builder.Property(g => g.Description).HasMaxLength(500);
        builder.HasOne(g => g.Domain).WithMany(d => d.Groups).HasForeignKey(g => g.DomainId).OnDelete(DeleteBehavior.Restrict);
    }
}
