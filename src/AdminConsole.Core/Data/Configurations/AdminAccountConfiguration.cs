using AdminConsole.Core.Accounts;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class AdminAccountConfiguration : IEntityTypeConfiguration<AdminAccount>
{
    public void Configure(EntityTypeBuilder<AdminAccount> builder)
    {
        builder.ToTable("admin_accounts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Email).HasMaxLength(EmailAddress.MaxAddressOctets);
        builder.HasIndex(a => a.Email).IsUnique();
        builder.Property(a => a.PasswordHash).HasMaxLength(300);
        builder.Property(a => a.SecurityStamp).HasMaxLength(64);
        builder.Ignore(a => a.TwoFactorEnabled);
    }
}
