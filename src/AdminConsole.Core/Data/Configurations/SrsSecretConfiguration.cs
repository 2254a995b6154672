using AdminConsole.Core.Srs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class SrsSecretConfiguration : IEntityTypeConfiguration<SrsSecret>
{
    public void Configure(EntityTypeBuilder<SrsSecret> builder)
    {
        builder.ToTable("srs_secrets");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.CreatedAt);
    }
}
