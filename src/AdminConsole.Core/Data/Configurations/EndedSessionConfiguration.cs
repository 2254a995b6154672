using AdminConsole.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class EndedSessionConfiguration : IEntityTypeConfiguration<EndedSession>
{
    public void Configure(EntityTypeBuilder<EndedSession> builder)
    {
        builder.ToTable("ended_sessions");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.ExpiresAt);
    }
}
