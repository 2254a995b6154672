using AdminConsole.Core.Engine;
using MailEngine.Hosting;
using MailEngine.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AdminConsole.Testing;

/// <summary>
/// A console whose engine relays through a real BIND 9 on 127.0.0.1 (MX of remote.test → 127.0.0.1)
/// to a port where nothing listens: every remote copy is deferred, and retried only in an hour, so the
/// queue view has something to show and act on.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class QueueHost : ConsoleHost
{
    public const string RemoteDomain = "remote.test";

    public BindServer Bind { get; } = BindServer.Reserve();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Engine:DnsServer"] = Bind.Endpoint,
        ["Engine:Queue:RemotePort"] = MailEngine.Server.Tests.EngineNodeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Engine:Queue:FirstRetry"] = "01:00:00",
    };

    private readonly Lock _gate = new();
    private Task? _zone;

    /// <summary>Starts BIND with the remote zone, once for the tests of the class.</summary>
    public Task StartRemoteZoneAsync()
    {
        lock (_gate) return _zone ??= StartZoneAsync();
    }

    private Task StartZoneAsync() => Bind.StartAsync(new Dictionary<string, string>
    {
        [RemoteDomain] = $"$TTL 300\n@ IN SOA ns1.{RemoteDomain}. h.{RemoteDomain}. 1 3600 600 86400 300\n@ IN NS ns1.{RemoteDomain}.\nns1 IN A 127.0.0.1\n@ IN MX 10 mx.{RemoteDomain}.\nmx IN A 127.0.0.1\n",
    });

    public const string SenderPassword = "queue sender password";

    /// <summary>A new domain with a mailbox "sender" that may submit, once the engine knows it.</summary>
    public async Task<string> SenderAsync()
    {
        await StartRemoteZoneAsync();
        var domain = $"q{Guid.NewGuid():N}"[..12] + ".test";
        await Database.SeedAsync(domain, new MailboxSeed("sender", PasswordHash: MailEngine.Auth.MailPasswordHasher.Hash(SenderPassword)));
        Factory.Services.GetRequiredService<EnginePushScheduler>().Request();
        await this.WaitForEngineAsync(s => s.Resolve(MailEngine.Addressing.EmailAddress.Parse($"sender@{domain}")).Kind == MailEngine.Control.RecipientKind.LocalMailbox, $"sender@{domain}");
        return $"sender@{domain}";
    }

    /// <summary>Submits a message to rita@remote.test, which the engine then cannot deliver.</summary>
    public async Task SendToRemoteAsync(string sender, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(sender));
        message.To.Add(MailboxAddress.Parse($"rita@{RemoteDomain}"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Stuck for a while.\r\n" };
        var submission = Factory.Services.GetRequiredService<MailEngineHost>().Endpoints[ListenerKind.Submission];
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync(submission.Address.ToString(), submission.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(sender, SenderPassword);
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    public override async Task DisposeAsync()
    {
        await Bind.DisposeAsync();
        await base.DisposeAsync();
    }
}
