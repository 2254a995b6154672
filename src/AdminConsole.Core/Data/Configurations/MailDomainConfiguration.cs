using MailEngine.Addressing;
using AdminConsole.Core.Domains;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AdminConsole.Core.Data.Configurations;

internal sealed class MailDomainConfiguration : IEntityTypeConfiguration<MailDomain>
{
    public void Configure(EntityTypeBuilder<MailDomain> builder)
    {
        builder.ToTable("mail_domains", t =>
        {
            t.HasCheckConstraint("ck_mail_domains_name_lower", "name = lower(name)");
            t.HasCheckConstraint("ck_mail_domains_quota_positive", "default_quota_bytes > 0");
            t.HasCheckConstraint("ck_mail_domains_max_message_positive", "max_message_bytes > 0");
        });
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Name).HasMaxLength(EmailAddress.MaxDomainOctets);
        builder.HasIndex(d => d.Name).IsUnique();
        builder.Property(d => d.Description).HasMaxLength(500);
        var spam = MailEngine.Contracts.SpamPolicy.Default;
        builder.Property(d => d.SpamFilterEnabled).HasDefaultValue(true);
        builder.Property(d => d.SpamHeaderThreshold).HasDefaultValue(spam.HeaderThreshold);
        builder.Property(d => d.SpamJunkThreshold).HasDefaultValue(spam.JunkThreshold);
        builder.Property(d => d.SpamRejectThreshold).HasDefaultValue(spam.RejectThreshold);
        builder.Property(d => d.CatchAllAddress).HasMaxLength(EmailAddress.MaxAddressOctets);
        // Two admins editing the same domain: the second save finds updated_at changed and fails (HTTP 412).
        builder.Property(d => d.UpdatedAt).IsConcurrencyToken();
        builder.Property(d => d.MtaStsMode).HasConversion<string>().HasMaxLength(16).HasDefaultValue(Dns.MtaStsMode.Testing).HasSentinel((Dns.MtaStsMode)(-1));
        builder.Property(d => d.InboundDmarc).HasConversion<string>().HasMaxLength(16).HasDefaultValue(MailEngine.Contracts.DmarcEnforcement.Enforce).HasSentinel((MailEngine.Contracts.DmarcEnforcement)(-1));
        builder.Property(d => d.TrustedArcSealers).HasDefaultValueSql("'{}'::text[]");
        builder.Property(d => d.DmarcPolicy).HasConversion<string>().HasMaxLength(16).HasDefaultValue(Dns.DmarcPolicy.None).HasSentinel((Dns.DmarcPolicy)(-1));
    }
}
