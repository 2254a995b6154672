using System.Security.Cryptography.X509Certificates;
using AdminConsole.Testing;
using MailEngine.Contracts;
using MailEngine.Dns;
using MailEngine.OutboundTls;
using MailEngine.Tests.Support;

namespace MailEngine.Tests.OutboundTls;

/// <summary>
/// DANE end to end with real DNSSEC: BIND 9 signs a zone holding the exchangers' TLSA records, Debian's
/// unbound validates it on loopback (its AD bit is what the engine believes), and our engine
/// delivers to the exchanger whose record matches and keeps the copy for the one whose record does not.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DaneResolverTests : IAsyncLifetime
{
    private readonly BindServer _bind = BindServer.Reserve();
    private readonly UnboundServer _unbound = UnboundServer.Reserve();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _unbound.DisposeAsync();
        await _bind.DisposeAsync();
    }

    [Fact]
    public async Task A_validated_matching_TLSA_record_lets_the_copy_go_and_a_wrong_one_keeps_it_back()
    {
        await using var remote = await TestEngine.StartAsync(new EngineSnapshot
        {
            Version = 1,
            CompiledAt = DateTimeOffset.UtcNow,
            Domains = [new SnapshotDomain("right.test", 10 * 1024 * 1024), new SnapshotDomain("wrong.test", 10 * 1024 * 1024)],
            Mailboxes = [new SnapshotMailbox("rita@right.test", TestEngine.PasswordHash, 1 << 24), new SnapshotMailbox("walt@wrong.test", TestEngine.PasswordHash, 1 << 24)],
            Policy = new SnapshotPolicy { TrustedNetworks = [] },
        }, o => o.HostName = "good.dane.test");
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(remote.Options.StateDirectory, "selfsigned.pfx"), null);
        var spki = Convert.ToHexString(TlsaAssociation.Of(certificate, 1, 1));
        var port = remote.Mx.Port;
        await _bind.StartAsync(new Dictionary<string, string>
        {
            ["dane.test"] = "$ORIGIN dane.test.\n$TTL 60\n@ IN SOA ns.dane.test. hostmaster.dane.test. 1 60 60 600 60\n@ IN NS ns.dane.test.\nns IN A 127.0.0.1\n"
                + $"good IN A 127.0.0.1\n_{port}._tcp.good IN TLSA 3 1 1 {spki}\n"
                + $"bad IN A 127.0.0.1\n_{port}._tcp.bad IN TLSA 3 1 1 {new string('0', 64)}\n",
        }, signed: true);
        await _unbound.StartAsync(_bind, new Dictionary<string, string?> { ["dane.test"] = await _bind.TrustAnchorAsync("dane.test") });

        var resolver = SystemDnsLookup.For(_unbound.Endpoint);
        Assert.True(resolver.TrustsAuthenticatedData);
        var answer = await resolver.QueryAsync($"_{port}._tcp.good.dane.test", DnsRecordKind.Tlsa, CancellationToken.None);
        Assert.True(answer.Authenticated, $"unbound did not validate the zone: {_unbound.Output}");
        Assert.Equal($"3 1 1 {spki}", Assert.Single(answer.Values));

        var dns = new FakeDns();
        dns.Answers["right.test"] = new MailExchangers(["good.dane.test"]);
        dns.Answers["wrong.test"] = new MailExchangers(["bad.dane.test"]);
        await using var engine = await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o => o.Queue.RemotePort = port, dns: dns, zone: resolver);

        await OutboundTlsDeliveryTests.SubmitAsync(engine, "rita@right.test", "DANE");
        await OutboundTlsDeliveryTests.SubmitAsync(engine, "walt@wrong.test", "DANE");

        Assert.Single(await remote.WaitForInboxAsync("rita@right.test", 1));
        var deadline = DateTime.UtcNow + TestEngine.DeliveryWait;
        List<TlsSessionRecord> sessions;
        // Wait for the outcome at the wrong exchanger itself: the queue is down to one copy as soon as the
        // right one is delivered, before the wrong one may have been tried, and the resolver's SERVFAIL for
        // the (unserved) _mta-sts names adds records of its own (seen on CI).
        while (!(sessions = [.. engine.Host.TlsSessions.Read(DateOnly.FromDateTime(DateTime.UtcNow))]).Any(s => s.MxHost == "bad.dane.test") || engine.Host.Queue.Length != 1)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"sessions: {string.Join("; ", sessions)}; queue {engine.Host.Queue.Length}");
            await Task.Delay(25);
        }

        Assert.Empty(remote.Inbox("walt@wrong.test"));
        var good = Assert.Single(sessions, s => s.MxHost == "good.dane.test");
        Assert.True(good.Success, good.Reason);
        Assert.Equal("tlsa", good.PolicyType);
        var bad = Assert.Single(sessions, s => s.MxHost == "bad.dane.test");
        Assert.Equal(("tlsa", TlsFailure.ValidationFailure), (bad.PolicyType, bad.ResultType));
        Assert.Contains("no TLSA record matches the certificate", bad.Reason, StringComparison.Ordinal);
    }
}
