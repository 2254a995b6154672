using AdminConsole.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("api_tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.HasIndex(t => t.Name).IsUnique().HasFilter("revoked_at IS NULL");
        builder.Property(t => t.KeyId).HasMaxLength(32);
        builder.HasIndex(t => t.KeyId).IsUnique();
        builder.Property(t => t.SecretHash).HasMaxLength(32);
        builder.Property(t => t.CreatedBy).HasMaxLength(300);
    }
}
