using System.Net;
using MailEngine.Auth;
using MailEngine.Contracts;
using MailEngine.Control;
using MailEngine.Dns;
using MailEngine.Hosting;
using MailEngine.Smtp;
using Microsoft.Extensions.Options;

namespace MailEngine.Tests.Support;

/// <summary>A DNS resolver that knows only what the test tells it.</summary>
public sealed class FakeDns : IDnsResolver
{
    public Dictionary<string, MailExchangers> Answers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Task<MailExchangers> ResolveMailExchangersAsync(string domain, CancellationToken ct) =>
        Task.FromResult(Answers.TryGetValue(domain, out var answer) ? answer : new MailExchangers([], Error: $"{domain}: no such domain", Permanent: true));
}

/// <summary>A real engine on free loopback ports with its own folders, driven through its listeners.</summary>
public sealed class TestEngine : IAsyncDisposable
{
    public const string Domain = "example.test";
    public const string Password = "correct-horse-7";

    /// <summary>One Argon2id hash for every test mailbox: hashing costs a quarter of a second.</summary>
    public static readonly string PasswordHash = MailPasswordHasher.Hash(Password);

    private TestEngine(string root, EngineOptions options, MailEngineHost host, FakeDns dns, RecordingLoggerFactory logs)
    {
        Logs = logs;
        Root = root;
        Options = options;
        Host = host;
        Dns = dns;
    }

    public string Root { get; }
    public EngineOptions Options { get; }
    public MailEngineHost Host { get; }
    public FakeDns Dns { get; }

    /// <summary>A root the test passed in outlives the engine (restart tests); one made here is deleted.</summary>
    private bool OwnsRoot { get; init; }

    /// <summary>Errors the engine logged; every test fails on one it did not expect (checked at disposal).</summary>
    public RecordingLoggerFactory Logs { get; }

    public IPEndPoint Mx => Host.Endpoints[ListenerKind.Mx];
    public IPEndPoint Submission => Host.Endpoints[ListenerKind.Submission];
    public IPEndPoint Submissions => Host.Endpoints[ListenerKind.Submissions];
    public IPEndPoint Imap => Host.ImapEndpoints["imap"];
    public IPEndPoint Imaps => Host.ImapEndpoints["imaps"];

    /// <param name="zone">
    /// What the engine's lookups (SPF, DKIM, DMARC, TLSA, MTA-STS, exchanger addresses) find in DNS: a
    /// test zone, or a real resolver on loopback; by default nothing (every name NXDOMAIN), never the machine's resolvers.
    /// </param>
    public static async Task<TestEngine> StartAsync(EngineSnapshot? snapshot = null, Action<EngineOptions>? configure = null, string? root = null, FakeDns? dns = null, IDnsLookup? zone = null)
    {
        var ownsRoot = root is null;
        root ??= Directory.CreateTempSubdirectory("engine").FullName;
        // The saved snapshot's key, beside (not inside) the state folder, as a credential would be.
        var stateKey = Path.Combine(root, "engine-state-key");
        if (!File.Exists(stateKey))
        {
            File.WriteAllText(stateKey, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            File.SetUnixFileMode(stateKey, UnixFileMode.UserRead | UnixFileMode.UserWrite); // a secret, as deploy/lib.sh makes it
        }
        var options = new EngineOptions
        {
            StateDirectory = Path.Combine(root, "state"),
            StateKeyFile = stateKey,
            MaildirRoot = Path.Combine(root, "mail"),
            HostName = "mx.example.test",
            Mx = new ListenerOptions { Port = 0 },
            Submission = new ListenerOptions { Port = 0 },
            Submissions = new ListenerOptions { Port = 0 },
            Imap = new MailEngine.Imap.ImapOptions
            {
                Listener = new ListenerOptions { Port = 0 },
                ImplicitTls = new ListenerOptions { Port = 0 },
            },
            // Failed logins are slowed down by seconds in production; the tests of the brake set their own.
            Login = new MailEngine.Auth.LoginOptions { FailureDelay = TimeSpan.FromMilliseconds(10) },
            Limits = new SmtpLimits { RecipientErrorDelay = TimeSpan.FromMilliseconds(10) },
        };
        configure?.Invoke(options);
        dns ??= new FakeDns();
        var logs = new RecordingLoggerFactory();
        var host = new MailEngineHost(Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, logs, dns, zone ?? new ZoneLookup());
        await host.StartAsync(CancellationToken.None);
        if (snapshot is not null) host.Apply(snapshot);
        return new TestEngine(root, options, host, dns, logs) { OwnsRoot = ownsRoot };
    }

    /// <summary>
    /// alice, bob, carol (disabled), dave (2 KiB quota); support@ → alice, bob; sales@ → support@ members and an
    /// outsider; empty@ → only the disabled carol.
    /// </summary>
    public static EngineSnapshot StandardSnapshot(long version = 1, SnapshotPolicy? policy = null) => new()
    {
        Version = version,
        CompiledAt = DateTimeOffset.UtcNow,
        Domains = [new SnapshotDomain(Domain, 10 * 1024 * 1024)],
        Mailboxes =
        [
            new SnapshotMailbox($"alice@{Domain}", PasswordHash, 100L * 1024 * 1024),
            new SnapshotMailbox($"bob@{Domain}", PasswordHash, 100L * 1024 * 1024),
            new SnapshotMailbox($"carol@{Domain}", PasswordHash, 100L * 1024 * 1024, Enabled: false),
            new SnapshotMailbox($"dave@{Domain}", PasswordHash, 2048),
        ],
        Aliases =
        [
            new SnapshotAlias($"support@{Domain}", [$"alice@{Domain}", $"bob@{Domain}"]),
            new SnapshotAlias($"sales@{Domain}", [$"alice@{Domain}", $"bob@{Domain}", "partner@elsewhere.test"]),
            new SnapshotAlias($"empty@{Domain}", [$"carol@{Domain}"]),
        ],
        Policy = policy ?? new SnapshotPolicy { TrustedNetworks = [], MaxMessageBytes = 64 * 1024 },
    };

    /// <summary>
    /// A loopback port for an engine that must know another's port before both listen. Not a port-0 number
    /// released and handed on: that one is in the ephemeral range, where any outgoing connection of a test
    /// process running beside this one may take it meanwhile (seen on CI: "127.0.0.1:38821 is already in
    /// use"). The node tests' reservation (below the ephemeral range, locked across processes) serves both.
    /// </summary>
    public static int FreePort() => MailEngine.Server.Tests.EngineNodeProcess.FreePort();

    /// <summary>The files delivered to a mailbox's INBOX new/ folder.</summary>
    public string[] Inbox(string address)
    {
        var dir = Path.Combine(Host.Maildirs.MaildirPath(address), "new");
        return Directory.Exists(dir) ? Directory.GetFiles(dir) : [];
    }

    /// <summary>
    /// How long a test waits for a delivery before it calls it missing: a guard against a hang, not a
    /// deadline. It is longer than any wait the engine bounds itself (a message to an engine that has
    /// just started waits up to Scanner.ReadyTimeout, 2 minutes, for its rules to compile, which on two
    /// busy cores beside the other test classes has taken more than the 20 s this once was).
    /// </summary>
    public static readonly TimeSpan DeliveryWait = TimeSpan.FromMinutes(3);

    /// <summary>Waits for a delivery the engine does in the background; a missing one fails after <see cref="DeliveryWait"/>.</summary>
    public async Task<string[]> WaitForInboxAsync(string address, int count)
    {
        var deadline = DateTime.UtcNow + DeliveryWait;
        while (DateTime.UtcNow < deadline)
        {
            var files = Inbox(address);
            if (files.Length >= count && Host.Queue.Length == 0) return files;
            await Task.Delay(25);
        }

        throw new TimeoutException($"{address} did not receive {count} message(s); it has {Inbox(address).Length}, the queue holds {Host.Queue.Length}.");
    }

    public int SpoolFiles => Directory.GetFiles(Path.Combine(Options.SpoolDirectory, "queue")).Length + Directory.GetFiles(Path.Combine(Options.SpoolDirectory, "tmp")).Length;

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        var errors = Logs.Errors.ToArray();
        try
        {
            if (OwnsRoot) Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }

        if (errors.Length > 0) throw new InvalidOperationException("The engine logged errors:\n" + string.Join("\n", errors));
    }
}
