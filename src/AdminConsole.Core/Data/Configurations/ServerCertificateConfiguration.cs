using AdminConsole.Core.Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class ServerCertificateConfiguration : IEntityTypeConfiguration<ServerCertificate>
{
    public void Configure(EntityTypeBuilder<ServerCertificate> builder)
    {
        builder.ToTable("server_certificates");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Source).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.Challenge).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.KeyAlgorithm).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.DirectoryUrl).HasMaxLength(2048);
        builder.Property(c => c.Issuer).HasMaxLength(512);
        builder.Property(c => c.SerialNumber).HasMaxLength(128);
        builder.Property(c => c.LastError).HasMaxLength(4000);
        builder.HasMany(c => c.Events).WithOne().HasForeignKey(e => e.CertificateId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.NextAttemptAt);
    }
}
