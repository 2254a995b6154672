using System.Security.Cryptography.X509Certificates;
using MailEngine.Contracts;
using MailEngine.Dns;
using MailEngine.OutboundTls;
using MailEngine.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailEngine.Tests.OutboundTls;

/// <summary>
/// Remote delivery under MTA-STS (RFC 8461) and DANE (RFC 7672), between two real engines over
/// loopback: the policy is fetched over HTTPS from a test host, TLSA records come from a zone the
/// test marks DNSSEC-validated; every outcome lands in the TLS-RPT record of the sending engine.
/// </summary>
public sealed class OutboundTlsDeliveryTests : IDisposable
{
    private readonly TestCertificates _ca = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("outbound-tls").FullName;

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task MTA_STS_enforce_delivers_to_a_listed_exchanger_with_a_valid_certificate_and_fetches_the_policy_once_per_id()
    {
        await using var remote = await RemoteAsync("sts.test", _ca.SavePkcs12(_ca.Issue("mx.sts.test"), _folder));
        await using var policy = PolicyHost("sts.test", "version: STSv1\r\nmode: enforce\r\nmx: *.sts.test\r\nmax_age: 86400\r\n");
        await using var engine = await SenderAsync(remote, policy, "sts.test", StsZone("sts.test", "mx.sts.test"));

        await SubmitAsync(engine, "rita@sts.test", "first");
        await SubmitAsync(engine, "rita@sts.test", "second");

        Assert.Equal(2, (await remote.WaitForInboxAsync("rita@sts.test", 2)).Length);
        await WaitUntilAsync(() => engine.Host.Queue.Length == 0 && Sessions(engine).Count == 2);
        Assert.Equal(1, policy.Fetches);
        Assert.All(Sessions(engine), s =>
        {
            Assert.True(s.Success, s.Reason);
            Assert.Equal("sts", s.PolicyType);
            Assert.Equal("mx.sts.test", s.MxHost);
            Assert.Contains("mode: enforce", s.PolicyStrings);
        });
        // Kept on disk: a restarted engine still knows the policy.
        Assert.True(File.Exists(Path.Combine(engine.Options.StateDirectory, "mta-sts", "sts.test.json")));
    }

    [Fact]
    public async Task MTA_STS_enforce_does_not_use_an_exchanger_outside_the_policy_and_the_copy_returns_with_the_reason()
    {
        await using var remote = await RemoteAsync("sts.test", _ca.SavePkcs12(_ca.Issue("mx.sts.test"), _folder));
        await using var policy = PolicyHost("sts.test", "version: STSv1\nmode: enforce\nmx: mail.elsewhere.test\nmax_age: 86400\n");
        // No time in the queue: the first temporary failure returns the copy (the queue's own expiry, otherwise after 5 days).
        await using var engine = await SenderAsync(remote, policy, "sts.test", StsZone("sts.test", "mx.sts.test"), o => o.Queue.MaxLifetime = TimeSpan.Zero);

        await SubmitAsync(engine, "rita@sts.test", "must not travel");

        var dsn = await MimeMessage.LoadAsync(Assert.Single(await engine.WaitForInboxAsync("alice@example.test", 1)));
        var recipient = Assert.IsType<MessageDeliveryStatus>(Assert.IsType<MultipartReport>(dsn.Body)[1]).StatusGroups[1];
        Assert.Equal("failed", recipient["Action"]);
        Assert.Equal("5.4.7", recipient["Status"]); // expired; the last error says why
        Assert.Contains("mx.sts.test is not an MX of sts.test's MTA-STS policy (mx: mail.elsewhere.test)", recipient["Diagnostic-Code"], StringComparison.Ordinal);
        Assert.Empty(remote.Inbox("rita@sts.test"));
        var session = Assert.Single(Sessions(engine));
        Assert.Equal(("sts", TlsFailure.ValidationFailure, "mx.sts.test"), (session.PolicyType, session.ResultType, session.MxHost));
        Assert.Null(session.ReceivingIp); // never connected
    }

    [Fact]
    public async Task MTA_STS_enforce_refuses_an_exchanger_whose_certificate_is_not_trusted_and_retries_later()
    {
        // The exchanger presents the engine's own self-signed certificate (its name is right; its issuer is no authority).
        await using var remote = await RemoteAsync("sts.test", certificate: null, hostName: "mx.sts.test");
        await using var policy = PolicyHost("sts.test", "version: STSv1\nmode: enforce\nmx: mx.sts.test\nmax_age: 600\n");
        await using var engine = await SenderAsync(remote, policy, "sts.test", StsZone("sts.test", "mx.sts.test"));

        await SubmitAsync(engine, "rita@sts.test", "not to an impostor");

        await WaitUntilAsync(() => engine.Host.Counters.Deferred.Total >= 1);
        Assert.Equal(1, engine.Host.Queue.Length);
        Assert.Empty(remote.Inbox("rita@sts.test"));
        var session = Assert.Single(Sessions(engine));
        Assert.Equal(TlsFailure.CertificateNotTrusted, session.ResultType);
        Assert.Equal("127.0.0.1", session.ReceivingIp);
        Assert.Contains("is not from a trusted authority", session.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MTA_STS_testing_delivers_but_reports_what_enforce_would_have_refused()
    {
        await using var remote = await RemoteAsync("sts.test", _ca.SavePkcs12(_ca.Issue("mx.sts.test"), _folder));
        await using var policy = PolicyHost("sts.test", "version: STSv1\nmode: testing\nmx: mail.elsewhere.test\nmax_age: 600\n");
        await using var engine = await SenderAsync(remote, policy, "sts.test", StsZone("sts.test", "mx.sts.test"));

        await SubmitAsync(engine, "rita@sts.test", "testing mode");

        Assert.Single(await remote.WaitForInboxAsync("rita@sts.test", 1));
        await WaitUntilAsync(() => engine.Host.Queue.Length == 0 && Sessions(engine).Count == 1);
        var session = Assert.Single(Sessions(engine));
        Assert.Equal(("sts", TlsFailure.ValidationFailure), (session.PolicyType, session.ResultType));
    }

    [Fact]
    public async Task The_days_TLS_report_reaches_the_domains_rua_address_is_read_there_with_its_counts_and_is_sent_once()
    {
        // The recipient's engine takes its own TLS reports at tls-reports@ and reads them (Reports/ReportIntake).
        await using var remote = await RemoteAsync("sts.test", _ca.SavePkcs12(_ca.Issue("mx.sts.test"), _folder), extraMailbox: "tls-reports@sts.test");
        await using var policy = PolicyHost("sts.test", "version: STSv1\nmode: testing\nmx: mail.elsewhere.test\nmax_age: 600\n");
        var zone = StsZone("sts.test", "mx.sts.test").Add("_smtp._tls.sts.test", DnsRecordKind.Txt, "v=TLSRPTv1; rua=mailto:tls-reports@sts.test");
        await using var engine = await SenderAsync(remote, policy, "sts.test", zone);

        await SubmitAsync(engine, "rita@sts.test", "counted");
        Assert.Single(await remote.WaitForInboxAsync("rita@sts.test", 1));
        await WaitUntilAsync(() => engine.Host.Queue.Length == 0 && Sessions(engine).Count == 1);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var sent = Assert.Single(await engine.Host.TlsReports!.SendAsync(today, CancellationToken.None));
        Assert.Equal(("sts.test", 0, 1, false), (sent.PolicyDomain, sent.Successful, sent.Failed, sent.AlreadySent));
        Assert.Equal(["tls-reports@sts.test"], sent.SentTo);
        Assert.Empty(sent.Refused);

        Assert.Single(await remote.WaitForInboxAsync("tls-reports@sts.test", 1));
        ReceivedReport? received = null;
        await WaitUntilAsync(() => (received = remote.Host.ReceivedReports.Since(DateTimeOffset.MinValue).SingleOrDefault()) is not null);
        Assert.Null(received!.Refused);
        Assert.Equal((ReceivedReport.Tls, "sts.test"), (received.Kind, received.Domain));
        var read = Assert.Single(received.Policies);
        Assert.Equal(("sts", 0L, 1L), (read.PolicyType, read.Successes, read.Failures));
        Assert.Equal([TlsFailure.ValidationFailure], read.FailureTypes);

        // Asked again the same day: nothing is sent twice.
        Assert.True(Assert.Single(await engine.Host.TlsReports.SendAsync(today, CancellationToken.None)).AlreadySent);
    }

    [Theory]
    [InlineData("text/html", "version: STSv1\nmode: enforce\nmx: mail.elsewhere.test\nmax_age: 600\n", TlsFailure.StsPolicyInvalid, "not text/plain")]
    [InlineData("text/plain", "version: STSv2\nmode: enforce\nmx: mail.elsewhere.test\nmax_age: 600\n", TlsFailure.StsPolicyInvalid, "is not STSv1")]
    [InlineData("text/plain", "version: STSv1\nmode: enforce\nmax_age: 600\n", TlsFailure.StsPolicyInvalid, "no mx line")]
    public async Task A_policy_that_is_not_one_is_reported_and_delivery_goes_on_as_without_a_policy(string contentType, string body, string resultType, string reason)
    {
        await using var remote = await RemoteAsync("sts.test", _ca.SavePkcs12(_ca.Issue("mx.sts.test"), _folder));
        await using var policy = PolicyHost("sts.test", body);
        policy.ContentType = contentType;
        await using var engine = await SenderAsync(remote, policy, "sts.test", StsZone("sts.test", "mx.sts.test"));

        await SubmitAsync(engine, "rita@sts.test", "no usable policy");

        Assert.Single(await remote.WaitForInboxAsync("rita@sts.test", 1));
        await WaitUntilAsync(() => engine.Host.Queue.Length == 0 && Sessions(engine).Count == 2);
        var failed = Assert.Single(Sessions(engine), s => !s.Success);
        Assert.Equal(("sts", resultType), (failed.PolicyType, failed.ResultType));
        Assert.Contains(reason, failed.Reason, StringComparison.Ordinal);
        Assert.Equal("no-policy-found", Assert.Single(Sessions(engine), s => s.Success).PolicyType);
    }

    [Fact]
    public async Task DANE_EE_delivers_when_the_record_matches_and_never_when_it_does_not()
    {
        await using var remote = await RemoteAsync("dane.test", certificate: null, hostName: "mx.dane.test");
        var spki = Convert.ToHexString(TlsaAssociation.Of(X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(remote.Options.StateDirectory, "selfsigned.pfx"), null), 1, 1));
        var tlsa = $"_{remote.Mx.Port}._tcp.mx.dane.test";

        var good = new ZoneLookup().Add("mx.dane.test", DnsRecordKind.A, "127.0.0.1").Add(tlsa, DnsRecordKind.Tlsa, $"3 1 1 {spki}").Signed("dane.test");
        await using (var engine = await SenderAsync(remote, policy: null, "dane.test", good))
        {
            await SubmitAsync(engine, "rita@dane.test", "pinned");
            Assert.Single(await remote.WaitForInboxAsync("rita@dane.test", 1));
            await WaitUntilAsync(() => engine.Host.Queue.Length == 0 && Sessions(engine).Count == 1);
            var session = Assert.Single(Sessions(engine));
            Assert.True(session.Success, session.Reason);
            Assert.Equal("tlsa", session.PolicyType);
            Assert.Equal($"3 1 1 {spki}", Assert.Single(session.PolicyStrings));
        }

        var wrong = new ZoneLookup().Add("mx.dane.test", DnsRecordKind.A, "127.0.0.1").Add(tlsa, DnsRecordKind.Tlsa, $"3 1 1 {new string('A', 64)}").Signed("dane.test");
        await using (var engine = await SenderAsync(remote, policy: null, "dane.test", wrong))
        {
            await SubmitAsync(engine, "rita@dane.test", "not to this key");
            await WaitUntilAsync(() => engine.Host.Counters.Deferred.Total >= 1);
            Assert.Equal(1, engine.Host.Queue.Length);
            var session = Assert.Single(Sessions(engine));
            Assert.Equal(("tlsa", TlsFailure.ValidationFailure), (session.PolicyType, session.ResultType));
            Assert.Contains("no TLSA record matches the certificate", session.Reason, StringComparison.Ordinal);
        }

        Assert.Single(remote.Inbox("rita@dane.test"));
    }

    [Fact]
    public async Task TLSA_records_that_are_not_DNSSEC_validated_are_not_used()
    {
        await using var remote = await RemoteAsync("dane.test", certificate: null, hostName: "mx.dane.test");
        var zone = new ZoneLookup().Add("mx.dane.test", DnsRecordKind.A, "127.0.0.1")
            .Add($"_{remote.Mx.Port}._tcp.mx.dane.test", DnsRecordKind.Tlsa, $"3 1 1 {new string('A', 64)}"); // not signed
        await using var engine = await SenderAsync(remote, policy: null, "dane.test", zone);

        await SubmitAsync(engine, "rita@dane.test", "opportunistic");

        Assert.Single(await remote.WaitForInboxAsync("rita@dane.test", 1));
        await WaitUntilAsync(() => engine.Host.Queue.Length == 0 && Sessions(engine).Count == 1);
        Assert.Equal("no-policy-found", Assert.Single(Sessions(engine)).PolicyType);
    }

    [Fact]
    public async Task A_failed_TLSA_lookup_for_a_signed_exchanger_keeps_the_copy_back()
    {
        await using var remote = await RemoteAsync("dane.test", certificate: null, hostName: "mx.dane.test");
        var zone = new ZoneLookup().Add("mx.dane.test", DnsRecordKind.A, "127.0.0.1").Fail($"_{remote.Mx.Port}._tcp.mx.dane.test").Signed("dane.test");
        await using var engine = await SenderAsync(remote, policy: null, "dane.test", zone);

        await SubmitAsync(engine, "rita@dane.test", "held");

        await WaitUntilAsync(() => engine.Host.Counters.Deferred.Total >= 1);
        Assert.Empty(remote.Inbox("rita@dane.test"));
        Assert.Equal(TlsFailure.DnssecInvalid, Assert.Single(Sessions(engine)).ResultType);
    }

    private static List<TlsSessionRecord> Sessions(TestEngine engine) => [.. engine.Host.TlsSessions.Read(DateOnly.FromDateTime(DateTime.UtcNow))];

    private PolicyHttpsServer PolicyHost(string domain, string body) => new(_ca.Issue($"mta-sts.{domain}")) { Body = body };

    private static ZoneLookup StsZone(string domain, string mx) => new ZoneLookup()
        .Add($"_mta-sts.{domain}", DnsRecordKind.Txt, "v=STSv1; id=20261202T1")
        .Add($"mta-sts.{domain}", DnsRecordKind.A, "127.0.0.1")
        .Add(mx, DnsRecordKind.A, "127.0.0.1");

    /// <summary>The engine of the recipient domain, presenting <paramref name="certificate"/> (null: its own self-signed one).</summary>
    private static Task<TestEngine> RemoteAsync(string domain, string? certificate, string? hostName = null, string? extraMailbox = null) => TestEngine.StartAsync(new EngineSnapshot
    {
        Version = 1,
        CompiledAt = DateTimeOffset.UtcNow,
        Domains = [new SnapshotDomain(domain, 10 * 1024 * 1024)],
        Mailboxes = [new SnapshotMailbox($"rita@{domain}", TestEngine.PasswordHash, 100L * 1024 * 1024),
            .. extraMailbox is null ? [] : new[] { new SnapshotMailbox(extraMailbox, TestEngine.PasswordHash, 100L * 1024 * 1024) }],
        Policy = new SnapshotPolicy { TrustedNetworks = [] },
    }, o =>
    {
        o.CertificatePath = certificate;
        if (hostName is not null) o.HostName = hostName;
    });

    /// <summary>Our engine: exchangers of <paramref name="domain"/> by name, found in <paramref name="zone"/>; the test CA trusted.</summary>
    private async Task<TestEngine> SenderAsync(TestEngine remote, PolicyHttpsServer? policy, string domain, ZoneLookup zone, Action<MailEngine.Hosting.EngineOptions>? configure = null)
    {
        var dns = new FakeDns();
        dns.Answers[domain] = new MailExchangers([$"mx.{domain}"]);
        var roots = _ca.SaveAuthority(_folder);
        return await TestEngine.StartAsync(TestEngine.StandardSnapshot(), o =>
        {
            o.Queue.RemotePort = remote.Mx.Port;
            o.Queue.Tls.PolicyPort = policy?.Port ?? 1;
            o.Queue.Tls.TrustedRootsFile = roots;
            configure?.Invoke(o);
        }, dns: dns, zone: zone);
    }

    /// <summary>alice@example.test submits a short message to <paramref name="to"/> (the DANE resolver test sends the same way).</summary>
    internal static async Task SubmitAsync(TestEngine engine, string to, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@example.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Hello.\r\n" };
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", engine.Submission.Port, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync("alice@example.test", TestEngine.Password);
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestEngine.DeliveryWait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not come true in time.");
            await Task.Delay(25);
        }
    }
}
