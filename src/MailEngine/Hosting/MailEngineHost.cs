using System.Net;
using MailEngine.Auth;
using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Delivery;
using MailEngine.Dns;
using MailEngine.Imap;
using MailEngine.Store;
using MailEngine.Queue;
using MailEngine.Scanner;
using MailEngine.Smtp;
using MailEngine.Telemetry;
using MailEngine.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailEngine.Hosting;

/// <summary>
/// The engine as one unit: snapshot store, spool, Maildir store, delivery queue and SMTP listeners,
/// started and stopped together. Hosted in the console's process by default; the same class hosts an
/// engine alone.
/// </summary>
public sealed class MailEngineHost : IHostedService, IAsyncDisposable
{
    private readonly EngineOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory _loggers;
    private readonly IDnsResolver _dns;
    private readonly IDnsLookup _lookup;
    private readonly List<ConnectionListener> _listeners = [];
    private PeriodicTimer? _expiryTimer;
    private DeliveryQueue? _queue;
    private PeriodicTimer? _sampler;

    /// <param name="lookup">The inbound checks' DNS (SPF, DKIM keys, DMARC); by default the machine's resolvers, or <see cref="EngineOptions.DnsServer"/>.</param>
    public MailEngineHost(IOptions<EngineOptions> options, TimeProvider clock, ILoggerFactory loggers, IDnsResolver dns, IDnsLookup? lookup = null)
    {
        _options = options.Value;
        _clock = clock;
        _loggers = loggers;
        _dns = dns;
        _lookup = lookup ?? SystemDnsLookup.For(_options.DnsServer);
        Counters.ObserveQueue(() => _queue?.Length ?? 0, () => _queue is { } queue ? Math.Round(queue.OldestAge.TotalSeconds, 1) : 0);
        Snapshots = new EngineSnapshotStore(_options.StateDirectory, SealedSnapshotFile.FromKeyFile(_options.StateKeyFile), clock, loggers.CreateLogger<EngineSnapshotStore>());
        History = new CounterHistory(Counters, clock);
        Maildirs = new MaildirStore(_options.MaildirRoot, _options.HostName);
        Dkim = new Dkim.DkimSigning(Counters);
        DmarcObservations = new Auth.Dmarc.Reports.DmarcObservationStore(Path.Combine(_options.StateDirectory, "dmarc"));
        TlsSessions = new OutboundTls.TlsSessionStore(Path.Combine(_options.StateDirectory, "tls-rpt"));
        ReceivedReports = new Reports.ReceivedReportStore(Path.Combine(_options.StateDirectory, "reports-in"));
        Folders = new MailFolderRegistry(Maildirs, clock);
        Learning = new LearnEvents(_options.StateDirectory, clock);
        var before = _options.SieveBeforeScriptPath is { } path ? File.ReadAllText(path) : null;
        Sieve = new Sieve.SieveDelivery(before, new Sieve.VacationMemoryFile(_options.StateDirectory), clock, loggers.CreateLogger<Sieve.SieveDelivery>(), Counters);
        Scanner = new SpamScanner(_options.Scanner, _options.StateDirectory, loggers.CreateLogger<SpamScanner>());
        Learner = new SpamLearner(Learning, Scanner.Bayes, Counters, loggers.CreateLogger<SpamLearner>());
    }

    /// <summary>The spam scanner: rules for the tier this machine can trust, the Bayes model, verdicts per domain.</summary>
    public SpamScanner Scanner { get; }

    /// <summary>Trains the Bayes model from the IMAP learn events.</summary>
    public SpamLearner Learner { get; }

    /// <summary>The Sieve scripts local delivery runs; the spam scanner gives it its verdicts.</summary>
    public Sieve.SieveDelivery Sieve { get; }

    /// <summary>The IMAP view of the Maildirs: open folders shared by sessions.</summary>
    public MailFolderRegistry Folders { get; }

    /// <summary>Learn-spam/learn-ham events from IMAP moves into and out of Junk.</summary>
    public LearnEvents Learning { get; }

    public Dictionary<string, IPEndPoint> ImapEndpoints { get; } = [];

    public EngineSnapshotStore Snapshots { get; }
    public MaildirStore Maildirs { get; }

    /// <summary>Signs what our users submit and what the engine sends itself with the domains' DKIM keys.</summary>
    public Dkim.DkimSigning Dkim { get; }

    /// <summary>The DMARC evaluations of inbound mail, kept for the aggregate reports (state folder "dmarc").</summary>
    public Auth.Dmarc.Reports.DmarcObservationStore DmarcObservations { get; }

    /// <summary>The DMARC and TLS reports received at our report addresses, until the console has them.</summary>
    public Reports.ReceivedReportStore ReceivedReports { get; }

    /// <summary>Sends a day's aggregate reports; set when the engine starts (it queues them).</summary>
    public Auth.Dmarc.Reports.DmarcReporter? DmarcReports { get; private set; }

    /// <summary>Sends a day's TLS reports (RFC 8460); set when the engine starts.</summary>
    public OutboundTls.TlsReporter? TlsReports { get; private set; }
    public EngineCounters Counters { get; } = new();
    public CounterHistory History { get; private set; } = default!;
    public DeliveryQueue Queue => _queue ?? throw new InvalidOperationException("The engine is not running.");
    public Dictionary<ListenerKind, IPEndPoint> Endpoints { get; } = [];
    public bool Running => _queue is not null;

    /// <summary>The file systems of the Maildirs and the spool (statfs of each folder), as the contract reports them.</summary>
    public IReadOnlyList<Contracts.VolumeSpace> Volumes() =>
    [
        .. new[] { ("maildir", _options.MaildirRoot), ("spool", _options.SpoolDirectory) }.Select(v =>
        {
            var path = Path.GetFullPath(v.Item2);
            var drive = new DriveInfo(Directory.Exists(path) ? path : Path.GetDirectoryName(path) ?? "/");
            return new Contracts.VolumeSpace(v.Item1, path, drive.AvailableFreeSpace, drive.TotalSize);
        }),
    ];

    public EngineStatus Status => Snapshots.Status;

    public EngineStatus Apply(EngineSnapshot snapshot) => Snapshots.Apply(snapshot);

    /// <summary>The TLS outcomes of remote delivery, for the daily TLS reports (state folder "tls-rpt").</summary>
    public OutboundTls.TlsSessionStore TlsSessions { get; }

    private OutboundTls.OutboundTlsPolicy OutboundTls()
    {
        var tls = _options.Queue.Tls;
        var trust = new OutboundTls.CertificateTrust(tls.TrustedRootsFile);
        var sts = new OutboundTls.MtaStsPolicyCache(_lookup, tls, trust, _options.StateDirectory, _clock, _loggers.CreateLogger<OutboundTls.MtaStsPolicyCache>());
        return new OutboundTls.OutboundTlsPolicy(_lookup, tls, sts, trust, TlsSessions, _clock);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Files 0600 and folders 0700 under the mail and state roots, made now or earlier.
        Storage.PrivateFiles.RestrictNewFiles();
        Storage.PrivateFiles.Tighten(_options.MaildirRoot, _options.StateDirectory);
        Storage.PrivateFiles.Tighten(_options.StateDirectory, _options.StateDirectory);
        Snapshots.LoadFromDisk();
        var logger = _loggers.CreateLogger("MailEngine.Smtp");
        var certificates = new CertificateProvider(_options);
        var spool = new Spool(_options.SpoolDirectory);
        _queue = new DeliveryQueue(
            spool, Snapshots, Dkim, new LocalDelivery(Maildirs, Folders, Sieve, _options.HostName, _clock, _loggers.CreateLogger<LocalDelivery>()),
            new RemoteDelivery(_dns, _lookup, _options.HostName, _options.Queue, _loggers.CreateLogger<RemoteDelivery>(), OutboundTls(),
                new Dkim.ArcSealing(new Auth.Arc.ArcVerification(_lookup), _options.HostName, _clock, Counters)),
            Counters, _options.Queue, _options.HostName, _clock, _loggers.CreateLogger<DeliveryQueue>());
        // One verifier (and cache of recent verifications) for SMTP AUTH and IMAP alike.
        var authenticator = new MailboxAuthenticator(Snapshots, _clock, _options.Login);
        var authentication = new MessageAuthentication(_lookup, Addressing.PublicSuffixList.System, _clock);
        var endOfData = new Policy.EndOfDataChecks(_options, Snapshots, Maildirs, Counters, logger, Sieve, Scanner, Dkim, authentication, DmarcObservations, _clock,
            new Reports.ReportIntake(ReceivedReports, _clock, _loggers.CreateLogger("MailEngine.Reports")));
        var queue = _queue;
        DmarcReports = new Auth.Dmarc.Reports.DmarcReporter(DmarcObservations, Snapshots, _lookup, Addressing.PublicSuffixList.System,
            (sender, recipient, content) => queue.QueueGenerated(sender, recipient, content, "dmarc-report"), _options.HostName, _clock, _loggers.CreateLogger("MailEngine.DmarcReports"));
        TlsReports = new OutboundTls.TlsReporter(TlsSessions, Snapshots, _lookup,
            (sender, recipient, content) => queue.QueueGenerated(sender, recipient, content, "tls-report"), _options.HostName, _clock, _loggers.CreateLogger("MailEngine.TlsReports"));
        var services = new SmtpServices(_options, Snapshots, authenticator, certificates, spool, Maildirs, _queue, Counters, _clock, logger, endOfData);

        var budget = new ConnectionBudget(_options.Connections.MaxTotal);
        // Said at Warning when the limit, not Connections:MaxTotal, sets the bound: an operator raises LimitNOFILE then.
        logger.Log(budget.Max < _options.Connections.MaxTotal ? LogLevel.Warning : LogLevel.Information,
            "At most {Max} client connections at once (file descriptor limit {Limit}, {InUse} open at start)", budget.Max, ConnectionBudget.DescriptorLimit(), budget.InUseAtStart);
        foreach (var (kind, listener) in new[] { (ListenerKind.Mx, _options.Mx), (ListenerKind.Submission, _options.Submission), (ListenerKind.Submissions, _options.Submissions) })
        {
            if (!listener.Enabled) continue;
            var smtp = new ConnectionListener(new IPEndPoint(IPAddress.Parse(listener.Address), listener.Port),
                (socket, ct) => new SmtpSession(services, socket, kind).RunAsync(ct), _options.Connections,
                SmtpReplies.TooManyConnections(_options.HostName).ToBytes(),
                reason => Counters.ConnectionsRefused.Add(1, new("reason", $"{kind.ToString().ToLowerInvariant()}:{reason}")), logger, budget);
            logger.LogInformation("SMTP {Kind} listening on {EndPoint}", kind, smtp.EndPoint);
            _listeners.Add(smtp);
            Endpoints[kind] = smtp.EndPoint;
        }

        var imap = new ImapServices(_options.Imap, _options.HostName, Snapshots, authenticator, certificates, Folders, Learning, Counters, _clock, _loggers.CreateLogger("MailEngine.Imap"));
        foreach (var (name, listener, implicitTls) in new[] { ("imap", _options.Imap.Listener, false), ("imaps", _options.Imap.ImplicitTls, true) })
        {
            if (!listener.Enabled) continue;
            // A refused IMAPS client would need a TLS handshake to read a BYE: it is simply closed.
            var server = new ConnectionListener(new IPEndPoint(IPAddress.Parse(listener.Address), listener.Port),
                (socket, ct) => new ImapSession(imap, socket, implicitTls).RunAsync(ct), _options.Connections,
                implicitTls ? [] : "* BYE Too many connections, try again later\r\n"u8.ToArray(),
                reason => Counters.ConnectionsRefused.Add(1, new("reason", $"{name}:{reason}")), imap.Logger, budget);
            imap.Logger.LogInformation("{Name} listening on {EndPoint}", name.ToUpperInvariant(), server.EndPoint);
            _listeners.Add(server);
            ImapEndpoints[name] = server.EndPoint;
        }

        var expiry = new FolderExpiry(Folders, Snapshots, _options.Imap, _clock, _loggers.CreateLogger<FolderExpiry>());
        _expiryTimer = new PeriodicTimer(TimeSpan.FromHours(1), _clock);
        _ = ExpireAsync(expiry, _expiryTimer);

        _queue.Start();
        Learner.Start();
        History.TakeSample();
        _sampler = new PeriodicTimer(TimeSpan.FromMinutes(1), _clock);
        _ = SampleAsync(_sampler);
        return Task.CompletedTask;
    }

    private async Task ExpireAsync(FolderExpiry expiry, PeriodicTimer timer)
    {
        do
        {
            try
            {
                expiry.Run();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _loggers.CreateLogger<FolderExpiry>().LogWarning(e, "Trash/Junk expiry failed; it runs again in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync());
    }

    private async Task SampleAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync()) History.TakeSample();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop may be called by the host and again at disposal: whoever takes the parts stops them.
        Interlocked.Exchange(ref _sampler, null)?.Dispose();
        Interlocked.Exchange(ref _expiryTimer, null)?.Dispose();
        ConnectionListener[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
            _listeners.Clear();
        }

        foreach (var listener in listeners) await listener.DisposeAsync();
        Folders.SaveAll(); // after the sessions have let their folders go
        await Learner.StopAsync();
        if (Interlocked.Exchange(ref _queue, null) is { } queue) await queue.DisposeAsync();
        DmarcObservations.Close(); // after the listeners: no session records any more
        TlsSessions.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        Counters.Dispose();
    }
}

public static class MailEngineServiceCollectionExtensions
{
    /// <summary>The engine inside this process, bound to the "Engine" configuration section.</summary>
    public static IServiceCollection AddMailEngine(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.Section)).PostConfigure(o =>
        {
            // The state key is a credential: by default the file engine-state-key among the others.
            var credentials = configuration["Credentials:Directory"] ?? Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
            if (o.StateKeyFile is null && credentials is not null) o.StateKeyFile = Path.Combine(credentials, SealedSnapshotFile.KeyCredential);
        });
        services.AddSingleton<IDnsResolver>(sp => new SystemDnsResolver(SystemDnsLookup.For(sp.GetRequiredService<IOptions<EngineOptions>>().Value.DnsServer)));
        services.AddSingleton<MailEngineHost>();
        // The engine contract over it: what the console's follower and pages call, and what a node serves.
        services.AddSingleton(sp => new InProcessEngineNode(sp.GetRequiredService<MailEngineHost>()));
        services.AddHostedService(sp => sp.GetRequiredService<MailEngineHost>());
        return services;
    }
}
