using MailEngine.Addressing;
using AdminConsole.Core.Groups;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class GroupMemberConfiguration : IEntityTypeConfiguration<GroupMember>
{
    public void Configure(EntityTypeBuilder<GroupMember> builder)
    {
        builder.ToTable("group_members", t => t.HasCheckConstraint(
            "ck_group_members_one_target",
            "(kind = 0 AND mailbox_id IS NOT NULL AND nested_group_id IS NULL AND external_address IS NULL) OR " +
            "(kind = 1 AND mailbox_id IS NULL AND nested_group_id IS NOT NULL AND external_address IS NULL) OR " +
            "(kind = 2 AND mailbox_id IS NULL AND nested_group_id IS NULL AND external_address IS NOT NULL)"));
        builder.HasKey(m => m.Id);
        builder.Property(m => m.ExternalAddress).HasMaxLength(EmailAddress.MaxAddressOctets);
        builder.Ignore(m => m.ListedAddress);
        builder.HasOne(m => m.Group).WithMany(g => g.Members).HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
        // Deleting a mailbox or a nested group removes it from the groups it was in.
        builder.HasOne(m => m.Mailbox).WithMany().HasForeignKey(m => m.MailboxId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.NestedGroup).WithMany().HasForeignKey(m => m.NestedGroupId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => new { m.GroupId, m.MailboxId }).IsUnique().HasFilter("mailbox_id IS NOT NULL");
        builder.HasIndex(m => new { m.GroupId, m.NestedGroupId }).IsUnique().HasFilter("nested_group_id IS NOT NULL");
        builder.HasIndex(m => new { m.GroupId, m.ExternalAddress }).IsUnique().HasFilter("external_address IS NOT NULL");
    }
}
