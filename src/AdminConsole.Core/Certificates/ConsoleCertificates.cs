using System.Security.Cryptography.X509Certificates;
using AdminConsole.Core.Certificates.Acme;
using AdminConsole.Core.Data;
using MailEngine.Tls;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Certificates;

/// <summary>
/// What the console's own HTTPS listener serves: the issued or uploaded certificates read from the
/// database (the same ones the engine gets in its snapshot, chosen the same way by the client's server
/// name), else a self-signed certificate for the console's host name, made at start and labelled so.
/// Reloaded when the snapshot follower sees a new version (every certificate saved, by any console or
/// adminctl, makes one) and every <see cref="CertificateOptions.ConsoleReloadInterval"/> (for one that
/// expired meanwhile, which makes no version); a handshake picks the set current at that moment, so a new
/// certificate is used by the next connection while connections under way keep theirs.
/// </summary>
public sealed class ConsoleCertificates(IServiceScopeFactory scopes, IOptions<Dns.DnsOptions> dns, Microsoft.Extensions.Configuration.IConfiguration configuration,
    TimeProvider clock, ILogger<ConsoleCertificates> logger)
{
    public const string SelfSignedIssuer = "self-signed by the mail console";

    private readonly WakeSignal _changed = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private ServedCertificates _current = ServedCertificates.None;
    private string _loaded = "";
    private ServedCertificate? _selfSigned;

    /// <summary>The console's host name (Dns:ConsoleHost, else the mail host): its certificate goes to clients that send no server name.</summary>
    public string HostName => dns.Value.ConsoleHostOr(Dns.DnsRecordService.MailHostOf(dns.Value, configuration));

    public ServedCertificates Current => Volatile.Read(ref _current);

    /// <summary>Whether this process listens for HTTPS with these certificates: not adminctl, nor a console with only http:// addresses.</summary>
    public bool Serving { get; private set; }

    /// <summary>Called when an HTTPS listener is configured with these certificates.</summary>
    public void Serve() => Serving = true;

    /// <summary>The fallback when no certificate covers the name asked for, nor the console's host name.</summary>
    public ServedCertificate SelfSigned => LazyInitializer.EnsureInitialized(ref _selfSigned, () => ServedCertificate.From(SelfSignedCertificate.Create(new X500DistinguishedName($"CN={HostName}, O={SelfSignedIssuer}"), HostName, TimeSpan.FromDays(365))));

    /// <summary>The certificate for a client hello's server name (null or empty: none sent).</summary>
    public ServedCertificate Select(string? serverName) => Current.For(serverName) ?? Current.For(HostName) ?? SelfSigned;

    /// <summary>A new snapshot version was published: the reloader reads the certificates again now rather than at its next interval.</summary>
    public void Changed() => _changed.Set();

    /// <summary>Waits for <see cref="Changed"/> or the interval, whichever is first.</summary>
    public Task WaitForChangeAsync(TimeSpan interval, CancellationToken ct) => _changed.WaitAsync(interval, ct);

    /// <summary>
    /// Reads the served certificates from the database when they changed (a cheap query says whether), and a
    /// set that cannot be used (a broken chain or key) is logged and the one before it kept.
    /// </summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var service = scope.ServiceProvider.GetRequiredService<CertificateService>();
            // Which certificates, in which version: the keys are unsealed only when that changed.
            var loaded = await service.ServedVersionAsync(ct);
            if (loaded == _loaded) return;
            var certificates = await service.ForSnapshotAsync(ct);
            try
            {
                Volatile.Write(ref _current, new ServedCertificates(certificates));
                _loaded = loaded;
                logger.LogInformation("The console's HTTPS serves {Count} certificate(s): {Names}", certificates.Count,
                    certificates.Count == 0 ? "none (self-signed for " + HostName + ")" : string.Join("; ", certificates.Select(c => string.Join(", ", c.HostNames))));
            }
            catch (FormatException e)
            {
                logger.LogError("The console's HTTPS keeps its certificates: {Error}", e.Message);
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// The tls-alpn-01 answer (RFC 8737 §3) for <paramref name="serverName"/> while a validation is under
    /// way: read from the database at the CA's handshake (rare, and a handshake callback cannot wait
    /// asynchronously), so whichever console the CA reaches answers. Null when none is pending.
    /// </summary>
    public ServedCertificate? AlpnChallenge(string serverName)
    {
        var name = serverName.TrimEnd('.').ToLowerInvariant();
        var now = clock.GetUtcNow();
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AdminDbContext>();
        var answer = db.AcmeChallengeAnswers.AsNoTracking()
            .Where(a => a.Name == name && a.Challenge == AcmeChallengeKind.TlsAlpn01 && a.ExpiresAt > now)
            .OrderByDescending(a => a.ExpiresAt).FirstOrDefault();
        return answer is null ? null : ServedCertificate.From(AcmeTlsAlpn.Certificate(name, answer.KeyAuthorization));
    }
}
