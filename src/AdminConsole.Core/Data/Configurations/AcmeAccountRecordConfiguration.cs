using AdminConsole.Core.Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class AcmeAccountRecordConfiguration : IEntityTypeConfiguration<AcmeAccountRecord>
{
    public void Configure(EntityTypeBuilder<AcmeAccountRecord> builder)
    {
        builder.ToTable("acme_accounts");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => a.DirectoryUrl).IsUnique();
        builder.Property(a => a.DirectoryUrl).HasMaxLength(2048);
        builder.Property(a => a.AccountUrl).HasMaxLength(2048);
    }
}
