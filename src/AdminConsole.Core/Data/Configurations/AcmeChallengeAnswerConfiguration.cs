using AdminConsole.Core.Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class AcmeChallengeAnswerConfiguration : IEntityTypeConfiguration<AcmeChallengeAnswer>
{
    public void Configure(EntityTypeBuilder<AcmeChallengeAnswer> builder)
    {
        builder.ToTable("acme_challenge_answers");
        builder.HasKey(a => a.Token);
        builder.Property(a => a.Token).HasMaxLength(256);
        builder.Property(a => a.Name).HasMaxLength(253);
        // Rows from before tls-alpn-01 were http-01 answers.
        builder.Property(a => a.Challenge).HasConversion<string>().HasMaxLength(16).HasDefaultValue(AcmeChallengeKind.Http01);
        builder.Property(a => a.KeyAuthorization).HasMaxLength(512);
    }
}
