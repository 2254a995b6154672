using AdminConsole.Core.Accounts;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Domains;
using AdminConsole.Core.Groups;
using AdminConsole.Core.Mailboxes;
using AdminConsole.Core.Vacation;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Data;

/// <summary>The desired state of the installation. PostgreSQL is its only home (see ARCHITECTURE.md).</summary>
public sealed class AdminDbContext(DbContextOptions<AdminDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<MailDomain> Domains => Set<MailDomain>();
    public DbSet<Mailbox> Mailboxes => Set<Mailbox>();
    public DbSet<GroupAlias> Groups => Set<GroupAlias>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<VacationRule> VacationRules => Set<VacationRule>();
    public DbSet<Filters.SieveFilter> SieveFilters => Set<Filters.SieveFilter>();
    public DbSet<Spam.SpamRuleOverride> SpamRuleOverrides => Set<Spam.SpamRuleOverride>();
    public DbSet<Dkim.DkimKey> DkimKeys => Set<Dkim.DkimKey>();
    public DbSet<Srs.SrsSecret> SrsSecrets => Set<Srs.SrsSecret>();
    public DbSet<Dns.DnsCheck> DnsChecks => Set<Dns.DnsCheck>();
    public DbSet<Reports.DomainReport> DomainReports => Set<Reports.DomainReport>();
    public DbSet<Dns.DnsPublisherSettings> DnsPublisherSettings => Set<Dns.DnsPublisherSettings>();
    public DbSet<Certificates.ServerCertificate> ServerCertificates => Set<Certificates.ServerCertificate>();
    public DbSet<Alerts.AlertState> AlertStates => Set<Alerts.AlertState>();
    public DbSet<Alerts.AlertEvent> AlertEvents => Set<Alerts.AlertEvent>();
    public DbSet<Alerts.AlertChannel> AlertChannels => Set<Alerts.AlertChannel>();
    public DbSet<Alerts.AlertSilence> AlertSilences => Set<Alerts.AlertSilence>();
    public DbSet<Alerts.AlertNotification> AlertNotifications => Set<Alerts.AlertNotification>();
    public DbSet<Certificates.CertificateEvent> CertificateEvents => Set<Certificates.CertificateEvent>();
    public DbSet<Certificates.AcmeAccountRecord> AcmeAccounts => Set<Certificates.AcmeAccountRecord>();
    public DbSet<Certificates.AcmeChallengeAnswer> AcmeChallengeAnswers => Set<Certificates.AcmeChallengeAnswer>();
    public DbSet<SignInFailure> SignInFailures => Set<SignInFailure>();
    public DbSet<EndedSession> EndedSessions => Set<EndedSession>();
    public DbSet<AdminAccount> AdminAccounts => Set<AdminAccount>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<Engine.EngineSnapshotVersion> EngineSnapshotVersions => Set<Engine.EngineSnapshotVersion>();
    public DbSet<Engine.EngineSnapshotChunk> EngineSnapshotChunks => Set<Engine.EngineSnapshotChunk>();

    /// <summary>The ASP.NET Data Protection key ring; each key's XML is encrypted with the master key.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AdminDbContext).Assembly);
    }
}
