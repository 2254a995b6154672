using AdminConsole.Core.Accounts;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Dashboard;
using AdminConsole.Core.Data;
using AdminConsole.Core.Engine;
using AdminConsole.Core.Groups;
using AdminConsole.Core.Jobs;
using AdminConsole.Core.Security;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core;

public static class ServiceCollectionExtensions
{
    public const string MigrationsAssembly = "AdminConsole.Migrations";

    /// <summary>The database, the services over it and the secrets they need; shared by the web host and adminctl.</summary>
    public static IServiceCollection AddAdminConsoleCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new CredentialStore(configuration));
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section));
        services.AddSingleton<DatabaseConnection>();
        services.AddSingleton<EnginePushScheduler>();
        services.AddSingleton<EnginePushStatus>();
        services.AddSingleton<EngineChangeInterceptor>();
        services.AddSingleton<SnapshotCipher>();
        services.AddDbContext<AdminDbContext>((sp, options) => ConfigureDbContext(options, sp.GetRequiredService<DatabaseConnection>().ConnectionString)
            .AddInterceptors(sp.GetRequiredService<EngineChangeInterceptor>()));

        services.AddScoped<AuditLog>();
        services.AddScoped<AdminAccountService>();
        services.AddScoped<ApiTokenService>();
        services.AddScoped<SignInService>();
        services.AddScoped<TwoFactorService>();
        services.AddOptions<SignInOptions>().BindConfiguration(SignInOptions.Section);
        services.AddScoped<DashboardStatistics>();
        services.AddScoped<AuditRetentionJob>();
        services.AddScoped<GroupService>();
        services.AddScoped<Domains.DomainService>();
        services.AddScoped<Dkim.DkimKeyService>();
        services.AddScoped<Dkim.DkimRotation>();
        services.AddScoped<Dkim.DkimRotationJob>();
        services.AddScoped<Srs.SrsSecretService>();
        services.AddScoped<Srs.SrsSecretJob>();
        services.AddScoped<Reports.DmarcReportJob>();
        services.AddScoped<Reports.ReportImportJob>();
        services.AddScoped<Dns.DnsRecordService>();
        services.AddSingleton<Dns.DnsLiveCheck>();
        services.AddScoped<Dns.DnsPublisher>();
        services.AddScoped<Dns.DnsCheckJob>();
        services.AddOptions<Alerts.AlertOptions>().Bind(configuration.GetSection(Alerts.AlertOptions.Section));
        services.AddSingleton<Alerts.AlertCounterMemory>();
        services.AddScoped<Alerts.AlertInputSource>();
        services.AddScoped<Alerts.AlertEvaluator>();
        services.AddScoped<Alerts.AlertEvaluationJob>();
        services.AddScoped<Alerts.AlertNotifier>();
        services.AddScoped<Alerts.AlertChannelService>();
        services.AddHttpClient(Alerts.AlertNotifier.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddScoped<Alerts.AlertService>();
        services.AddScoped<Queue.MailQueueService>();
        services.AddScoped<Engine.ListenerProbe>();
        services.AddScoped<Mailboxes.MailboxService>();
        services.AddScoped<Vacation.VacationService>();
        services.AddScoped<Filters.SieveFilterService>();
        services.AddScoped<Spam.SpamSettingsService>();
        services.AddScoped<Mailboxes.MailboxDirectory>();
        services.AddScoped<AuditQuery>();
        services.AddScoped<Import.MailboxImport>();
        services.AddScoped<Certificates.CertificateService>();
        services.AddScoped<Certificates.CertificateIssuer>();
        services.AddScoped<Certificates.CertificateRenewalJob>();
        services.AddSingleton<Certificates.ConsoleCertificates>();
        services.AddSingleton<Certificates.Dns01Hook>();
        services.AddScoped<SnapshotCompiler>();
        services.AddScoped<EnginePushJob>();
        services.AddOptions<EnginePolicyOptions>().Bind(configuration.GetSection(EnginePolicyOptions.Section));
        services.AddOptions<EngineFollowerOptions>().Bind(configuration.GetSection(EngineFollowerOptions.Section));
        services.AddOptions<AuditRetentionOptions>().Bind(configuration.GetSection(AuditRetentionOptions.Section));
        services.AddOptions<Dns.DnsOptions>().Bind(configuration.GetSection(Dns.DnsOptions.Section));
        services.AddOptions<Dkim.DkimOptions>().Bind(configuration.GetSection(Dkim.DkimOptions.Section));
        services.AddOptions<Certificates.CertificateOptions>().Bind(configuration.GetSection(Certificates.CertificateOptions.Section));
        services.AddHttpClient(Certificates.AcmeHttp.ClientName, c => c.Timeout = TimeSpan.FromSeconds(60))
            .ConfigurePrimaryHttpMessageHandler(sp => Certificates.AcmeHttp.Handler(Certificates.AcmeHttp.ExtraRoots(
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Certificates.CertificateOptions>>().Value.TrustedRootsFile)));
        services.AddOptions<Srs.SrsOptions>().Bind(configuration.GetSection(Srs.SrsOptions.Section));
        return services;
    }

    /// <summary>
    /// The engine nodes this console feeds (the in-process one, registered as IEngineNode by the web host
    /// when Engine:Enabled, and Console:EngineNodes) and the one follower that delivers each published
    /// snapshot version to them.
    /// </summary>
    public static IServiceCollection AddEngineNodes(this IServiceCollection services)
    {
        services.AddSingleton<EngineNodes>();
        services.AddSingleton<EngineSnapshotFollower>();
        services.AddHostedService(sp => sp.GetRequiredService<EngineSnapshotFollower>());
        return services;
    }

    public static DbContextOptionsBuilder ConfigureDbContext(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(MigrationsAssembly)).UseSnakeCaseNamingConvention();

    /// <summary>The Data Protection key ring in PostgreSQL, each key encrypted with the master key credential.</summary>
    public static IServiceCollection AddAdminConsoleDataProtection(this IServiceCollection services)
    {
        services.AddSingleton<MasterKey>();
        services.AddDataProtection()
            .SetApplicationName("mail-admin-console")
            .PersistKeysToDbContext<AdminDbContext>();
        services.AddOptions<KeyManagementOptions>()
            .Configure<MasterKey>((options, masterKey) => options.XmlEncryptor = new MasterKeyXmlEncryptor(masterKey));
        return services;
    }

    /// <summary>
    /// Hangfire on the same PostgreSQL, in its own schema. The storage is registered as this host's
    /// own singleton: Hangfire's default registration returns the static JobStorage.Current, which
    /// another host in the same process (the tests run several) may have replaced.
    /// </summary>
    public static IServiceCollection AddAdminConsoleJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobStorage>(sp => new PostgreSqlStorage(
            new NpgsqlConnectionFactory(sp.GetRequiredService<DatabaseConnection>().ConnectionString, JobStorageOptions),
            JobStorageOptions));
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogProvider(sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()))
            .UseStorage(sp.GetRequiredService<JobStorage>()));
        return services;
    }

    private static readonly PostgreSqlStorageOptions JobStorageOptions = new()
    {
        SchemaName = "hangfire",
        PrepareSchemaIfNecessary = true,
        // LISTEN/NOTIFY wakes a worker as soon as a job is enqueued, so an engine push follows a change at once.
        EnableLongPolling = true,
        // A worker listens only while it waits, so a job enqueued as it re-arms is found by the next poll:
        // 2 s (like the snapshot follower) instead of 15 s bounds how late a push after a change can start.
        QueuePollInterval = TimeSpan.FromSeconds(2),
        // A job whose server died (or lost PostgreSQL) becomes visible to other servers after 5 minutes, not 30.
        UseSlidingInvisibilityTimeout = true,
        InvisibilityTimeout = TimeSpan.FromMinutes(5),
    };
}

/// <summary>The connection string, built once from <see cref="DatabaseOptions"/> and the credential.</summary>
public sealed class DatabaseConnection(IOptions<DatabaseOptions> options, CredentialStore credentials)
{
    public string ConnectionString { get; } = options.Value.BuildConnectionString(credentials);
}
