using System.Net;
using MailEngine.Auth;
using MailEngine.Control;
using MailEngine.Delivery;
using MailEngine.Dns;
using MailEngine.Maildir;
using MailEngine.Queue;
using MailEngine.Smtp;
using MailEngine.Telemetry;
using MailEngine.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailEngine.Hosting;

/// <summary>What the control plane may do with an engine: push a snapshot and read its state.</summary>
public interface IEngineControl
{
    EngineStatus Apply(EngineSnapshot snapshot);
    EngineStatus Status { get; }
}

/// <summary>
/// The engine as one unit: snapshot store, spool, Maildir store, delivery queue and SMTP listeners,
/// started and stopped together. Hosted in the console's process by default; the same class hosts an
/// engine alone.
/// </summary>
public sealed class MailEngineHost : IHostedService, IEngineControl, IAsyncDisposable
{
    private readonly EngineOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory _loggers;
    private readonly IDnsResolver _dns;
    private readonly List<SmtpListener> _listeners = [];
    private DeliveryQueue? _queue;
    private PeriodicTimer? _sampler;

    public MailEngineHost(IOptions<EngineOptions> options, TimeProvider clock, ILoggerFactory loggers, IDnsResolver dns)
    {
        _options = options.Value;
        _clock = clock;
        _loggers = loggers;
        _dns = dns;
        Snapshots = new EngineSnapshotStore(_options.StateDirectory, clock, loggers.CreateLogger<EngineSnapshotStore>());
        History = new CounterHistory(Counters, clock);
        Maildirs = new MaildirStore(_options.MaildirRoot, _options.HostName);
    }

    public EngineSnapshotStore Snapshots { get; }
    public MaildirStore Maildirs { get; }
    public EngineCounters Counters { get; } = new();
    public CounterHistory History { get; private set; } = default!;
    public DeliveryQueue Queue => _queue ?? throw new InvalidOperationException("The engine is not running.");
    public Dictionary<ListenerKind, IPEndPoint> Endpoints { get; } = [];
    public bool Running => _queue is not null;

    public EngineStatus Status => Snapshots.Status;

    public EngineStatus Apply(EngineSnapshot snapshot) => Snapshots.Apply(snapshot);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Snapshots.LoadFromDisk();
        var logger = _loggers.CreateLogger("MailEngine.Smtp");
        var certificates = new CertificateProvider(_options);
        var spool = new Spool(_options.SpoolDirectory);
        _queue = new DeliveryQueue(
            spool, Snapshots, new LocalDelivery(Maildirs, _options.HostName, _clock),
            new RemoteDelivery(_dns, _options.HostName, _options.Queue, _loggers.CreateLogger<RemoteDelivery>()),
            Counters, _options.Queue, _options.HostName, _clock, _loggers.CreateLogger<DeliveryQueue>());
        var services = new SmtpServices(_options, Snapshots, new MailboxAuthenticator(Snapshots, _clock), certificates, spool, Maildirs, _queue, Counters, _clock, logger);

        foreach (var (kind, listener) in new[] { (ListenerKind.Mx, _options.Mx), (ListenerKind.Submission, _options.Submission), (ListenerKind.Submissions, _options.Submissions) })
        {
            if (!listener.Enabled) continue;
            var smtp = new SmtpListener(services, kind, new IPEndPoint(IPAddress.Parse(listener.Address), listener.Port));
            _listeners.Add(smtp);
            Endpoints[kind] = smtp.EndPoint;
        }

        _queue.Start();
        History.TakeSample();
        _sampler = new PeriodicTimer(TimeSpan.FromMinutes(1), _clock);
        _ = SampleAsync(_sampler);
        return Task.CompletedTask;
    }

    private async Task SampleAsync(PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync()) History.TakeSample();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop may be called by the host and again at disposal: whoever takes the parts stops them.
        Interlocked.Exchange(ref _sampler, null)?.Dispose();
        SmtpListener[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
            _listeners.Clear();
        }

        foreach (var listener in listeners) await listener.DisposeAsync();
        if (Interlocked.Exchange(ref _queue, null) is { } queue) await queue.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}

public static class MailEngineServiceCollectionExtensions
{
    /// <summary>The engine inside this process, bound to the "Engine" configuration section.</summary>
    public static IServiceCollection AddMailEngine(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.Section));
        services.AddSingleton<IDnsResolver, SystemDnsResolver>();
        services.AddSingleton<MailEngineHost>();
        services.AddSingleton<IEngineControl>(sp => sp.GetRequiredService<MailEngineHost>());
        services.AddHostedService(sp => sp.GetRequiredService<MailEngineHost>());
        return services;
    }
}
