using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Certificates.Acme;
using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AdminConsole.Core.Certificates;

/// <summary>
/// Issues (or renews) one ACME certificate: order, answer each authorization's challenge, wait for the
/// CA to validate, finalize with a CSR for a fresh key, download the chain, install it, and say when to
/// renew (ARI's window, RFC 9773, when the CA offers it; else with a third of the lifetime left). A
/// failure is kept in words with a growing back-off; each step is an event on the page.
/// </summary>
public sealed class CertificateIssuer(AdminDbContext db, CertificateService certificates, AuditLog audit, TimeProvider clock, ILogger<CertificateIssuer> logger,
    Dns.DnsPublisher dns, Dns.DnsLiveCheck live, Dns01Hook hook, CertificateInstallWatcher? watcher = null)
{
    public const string Actor = "system:certificates";

    /// <summary>How long a run holds the certificate: another run (a second job, another console) skips it meanwhile.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(15);

    /// <summary>Issues the certificate if it is due and not held by another run; returns whether a new certificate was installed.</summary>
    public async Task<bool> IssueAsync(Guid id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var leased = await db.ServerCertificates
            .Where(c => c.Id == id && c.Source == CertificateSource.Acme && c.RevokedAt == null && (c.NextAttemptAt == null || c.NextAttemptAt <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.NextAttemptAt, now + Lease), ct);
        if (leased == 0) return false;
        var certificate = await db.ServerCertificates.Include(c => c.Events).SingleAsync(c => c.Id == id, ct);

        var published = new ChallengeRecords();
        try
        {
            await RunAsync(certificate, published, ct);
            return true;
        }
        catch (Exception e) when (e is CertificateIssuanceException or AcmeException)
        {
            var step = (e as CertificateIssuanceException)?.Step ?? "order";
            certificate.FailedAttempts++;
            var wait = TimeSpan.FromTicks(Math.Min(certificates.Options.Acme.MaxRetryInterval.Ticks,
                certificates.Options.Acme.RetryInterval.Ticks * (1L << Math.Min(certificate.FailedAttempts - 1, 20))));
            certificate.LastError = e.Message;
            certificate.NextAttemptAt = clock.GetUtcNow() + wait;
            certificate.UpdatedAt = clock.GetUtcNow();
            certificate.Events.Add(certificates.Event(certificate, "failed", $"{step}: {e.Message} Next attempt {certificate.NextAttemptAt.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC."));
            logger.LogWarning("Certificate for {Names} not issued ({Step}): {Error}; next attempt in {Wait}", string.Join(", ", certificate.Names), step, e.Message, wait);
            await db.SaveChangesAsync(CancellationToken.None);
            return false;
        }
        finally
        {
            await RemoveChallengesAsync(published);
            await db.AcmeChallengeAnswers.Where(a => a.ExpiresAt < now).ExecuteDeleteAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// What one run put up for the CA to find: HTTP-01 answers by token, dns-01 TXT records. Removed by
    /// exactly these (never by name: two certificates for the same name may be issued side by side, and
    /// one run must not take down the other's answer while the CA is still fetching it).
    /// </summary>
    private sealed class ChallengeRecords
    {
        public List<string> Tokens { get; } = [];
        public List<(string? Domain, string Name, string Value)> Txt { get; } = [];
    }

    private async Task RemoveChallengesAsync(ChallengeRecords published)
    {
        if (published.Tokens.Count > 0)
        {
            var tokens = published.Tokens.ToList();
            await db.AcmeChallengeAnswers.Where(a => tokens.Contains(a.Token)).ExecuteDeleteAsync(CancellationToken.None);
            published.Tokens.Clear();
        }

        await RemoveDns01Async(published.Txt);
    }

    /// <summary>Removes the dns-01 records published for this run (best effort: a leftover TXT record harms nothing but is logged).</summary>
    private async Task RemoveDns01Async(List<(string? Domain, string Name, string Value)> published)
    {
        foreach (var (domain, name, value) in published)
        {
            try
            {
                if (domain is null) await hook.RunAsync(add: false, name, value, CancellationToken.None);
                else await dns.UpdateTxtAsync(domain, name, value, add: false, CancellationToken.None);
            }
            catch (Exception e) when (e is DomainValidationException or CertificateIssuanceException or IOException or System.Net.Sockets.SocketException)
            {
                logger.LogWarning("The dns-01 record {Name} TXT could not be removed: {Error}", name, e.Message);
            }
        }

        published.Clear();
    }

    private async Task RunAsync(ServerCertificate certificate, ChallengeRecords published, CancellationToken ct)
    {
        var client = await certificates.ClientAsync(certificate.DirectoryUrl, ct)
            ?? throw new CertificateIssuanceException("order", $"There is no ACME account at {certificate.DirectoryUrl}: request the certificate again to make one.");
        var timeout = certificates.Options.Acme.ValidationTimeout;

        // RFC 9773 §5: a renewal names the certificate it replaces, so the CA may let it skip rate limits.
        string? replaces = null;
        if (certificate.ChainPem is not null)
        {
            using var current = X509Certificate2.CreateFromPem(certificate.ChainPem);
            replaces = AcmeClient.CertificateId(current);
        }

        AcmeOrder order;
        try
        {
            order = await client.NewOrderAsync(certificate.Names, replaces, ct);
        }
        catch (AcmeException e) when (e.Problem.Name == "accountDoesNotExist")
        {
            // The CA lost our account (a test CA restarted, a staging reset, an account deactivated at the
            // CA's site): a new one, with the contact and the terms the admin agreed to for the old one.
            client = await certificates.ReplaceAccountAsync(certificate.DirectoryUrl!, client.AccountUrl!.ToString(), ct);
            certificate.Events.Add(certificates.Event(certificate, "order", $"The CA no longer knew our account ({e.Problem.Detail}); a new account was made."));
            order = await client.NewOrderAsync(certificate.Names, replaces, ct);
        }

        certificate.Events.Add(certificates.Event(certificate, "order", $"Ordered {string.Join(", ", certificate.Names)} from {certificate.DirectoryUrl}."));
        await db.SaveChangesAsync(ct);

        foreach (var url in order.Authorizations)
        {
            var authorization = await client.AuthorizationAsync(url, ct);
            var name = authorization.Identifier.Value;
            if (authorization.Status == "valid")
            {
                // A CA may reuse an authorization it validated for this account before (RFC 8555 §7.1.3): nothing to answer.
                certificate.Events.Add(certificates.Event(certificate, "validation", $"{name} was already validated by the CA for this account."));
                continue;
            }

            var type = CertificateService.ChallengeName(certificate.Challenge);
            var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == type)
                ?? throw new CertificateIssuanceException("challenge", $"{name}: the CA offers no {type} challenge (it offers {string.Join(", ", authorization.Challenges.Select(c => c.Type))}).");
            var token = challenge.Token ?? throw new CertificateIssuanceException("challenge", $"{name}: the CA's challenge has no token.");
            if (certificate.Challenge == AcmeChallengeKind.Dns01)
            {
                await PublishDns01Async(certificate, name, client.Dns01Value(token), timeout, published.Txt, ct);
            }
            else
            {
                // http-01 is served at /.well-known/acme-challenge/{token}, tls-alpn-01 as the acme-tls/1
                // certificate for the name (ConsoleCertificates): either way by whichever console the CA reaches.
                db.AcmeChallengeAnswers.Add(new AcmeChallengeAnswer
                {
                    Token = token, Name = name, Challenge = certificate.Challenge, KeyAuthorization = client.KeyAuthorization(token), ExpiresAt = clock.GetUtcNow().AddHours(1),
                });
                published.Tokens.Add(token);
                await db.SaveChangesAsync(ct);
            }

            await client.AnswerChallengeAsync(challenge.Url, ct);
            var validated = await client.WaitForAuthorizationAsync(url, timeout, ct);
            if (validated.Status != "valid")
            {
                var problem = validated.Challenges.FirstOrDefault(c => c.Type == type)?.Error;
                throw new CertificateIssuanceException("validation", $"{name}: {problem?.Describe() ?? $"the authorization is {validated.Status}"}");
            }

            certificate.Events.Add(certificates.Event(certificate, "validation", $"{name} validated ({type})."));
            await db.SaveChangesAsync(ct);
        }

        // The challenges are done: their answers and records go before the certificate is made.
        await RemoveChallengesAsync(published);

        using AsymmetricAlgorithm key = certificate.KeyAlgorithm == CertificateKeyAlgorithm.Rsa2048 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedName(certificate.Names[0].Length <= 64 ? $"CN={certificate.Names[0]}" : "");
        var request = key is RSA rsa ? new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) : new CertificateRequest(subject, (ECDsa)key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in certificate.Names) san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        var valid = await client.FinalizeAsync(await client.OrderAsync(order.Location, ct), request.CreateSigningRequest(), timeout, ct);
        var chain = await client.DownloadCertificateAsync(valid.Certificate ?? throw new CertificateIssuanceException("finalize", "The CA finished the order without a certificate URL."), ct);
        var pkcs8 = key is RSA r ? r.ExportPkcs8PrivateKey() : ((ECDsa)key).ExportPkcs8PrivateKey();

        using var material = IssuedMaterial(chain, pkcs8, certificate.Names);
        // The chain is not checked against our trust store: the CA is the one the admin chose.
        var renewAt = await RenewAtAsync(client, material.Leaf, ct);
        certificates.Install(certificate, material, renewAt);
        certificate.Events.Add(certificates.Event(certificate, "issued",
            $"Issued by {certificate.Issuer}, valid until {CertificateService.Day(certificate.NotAfter!.Value)}; renewal from {CertificateService.Day(renewAt)}."));
        audit.Record(Actor, "certificate.issued", $"certificate:{certificate.Id}", new { names = certificate.Names, issuer = certificate.Issuer, notAfter = certificate.NotAfter });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Certificate for {Names} issued by {Issuer}, valid until {NotAfter}", string.Join(", ", certificate.Names), certificate.Issuer, certificate.NotAfter);
        await ReportInstalledAsync(certificate, ct);
    }

    /// <summary>
    /// The last step on the page, "installed on N nodes": watched by <see cref="CertificateInstallWatcher"/>
    /// in the console. adminctl has none: the console it shares the database with installs the certificate.
    /// </summary>
    private async Task ReportInstalledAsync(ServerCertificate certificate, CancellationToken ct)
    {
        if (watcher is not null)
        {
            watcher.Watch(certificate.Id, certificate.SerialNumber!, clock.GetUtcNow() + certificates.Options.InstallWait);
            return;
        }

        certificate.Events.Add(certificates.Event(certificate, "installed", "Saved: the console sends it to every engine node in the next snapshot and loads it for its HTTPS."));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Publishes the dns-01 TXT record (RFC 8555 §8.4) by RFC 2136 and waits until every authoritative
    /// server of the zone answers with it: the CA may ask any of them, and a secondary that has not yet
    /// transferred the zone would fail the challenge.
    /// </summary>
    private async Task PublishDns01Async(ServerCertificate certificate, string name, string value, TimeSpan timeout, List<(string? Domain, string Name, string Value)> published, CancellationToken ct)
    {
        var recordName = "_acme-challenge." + name;
        // The domain's RFC 2136 server when it has one, else the operator's hook (null domain).
        var domain = await Dns.DnsPublisher.PublishingDomainAsync(db, name, ct);
        if (domain is null && !hook.Configured)
            throw new CertificateIssuanceException("challenge", $"{name}: dns-01 needs an RFC 2136 server set up for its domain on the domain's DNS page, or a dns-01 hook (Certificates:Dns01Hook).");
        if (domain is null)
        {
            await hook.RunAsync(add: true, recordName, value, ct);
        }
        else
        {
            try
            {
                await dns.UpdateTxtAsync(domain, recordName, value, add: true, ct);
            }
            catch (DomainValidationException e)
            {
                throw new CertificateIssuanceException("challenge", $"{recordName}: {e.Message}", e);
            }
        }

        published.Add((domain, recordName, value));
        var expected = new Dns.DomainRecords(domain ?? name, "", [new Dns.DnsRecord(recordName, "TXT", value, "dns-01")], []);
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            var check = await live.CheckAsync(expected, ct);
            if (check.Error is null && check.Records.Count == 1 && check.Records[0].Status == Dns.DnsLiveCheck.Match) break;
            if (clock.GetUtcNow() > deadline)
            {
                var where = check.Error ?? string.Join(", ", check.Records.SelectMany(r => r.Answers).Where(a => a.Status != Dns.DnsLiveCheck.Match).Select(a => $"{a.NameServer} {a.Status}"));
                throw new CertificateIssuanceException("challenge", $"{recordName}: not every name server of {check.Zone ?? domain} shows the TXT record after {timeout.TotalSeconds:0} s ({where}).");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), clock, ct);
        }

        certificate.Events.Add(certificates.Event(certificate, "challenge", $"Published {recordName} TXT {(domain is null ? "by the dns-01 hook" : "by RFC 2136")}; every name server of the zone has it."));
        await db.SaveChangesAsync(ct);
    }

    private static CertificateMaterial IssuedMaterial(string chainPem, byte[] pkcs8, IReadOnlyList<string> names)
    {
        CertificateMaterial material;
        try
        {
            material = CertificateMaterial.Issued(chainPem, pkcs8);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CertificateIssuanceException("finalize", $"The CA's certificate could not be used: {e.Message}", e);
        }

        if (names.FirstOrDefault(n => !material.Covers(n)) is { } missing)
        {
            material.Dispose();
            throw new CertificateIssuanceException("finalize", $"The CA's certificate is not for {missing}.");
        }

        return material;
    }

    /// <summary>
    /// When to renew: a random moment in the CA's suggested window (RFC 9773 §4.2) when it offers
    /// renewal information, else when a third of the lifetime is left (60 of 90 days for Let's Encrypt).
    /// </summary>
    public async Task<DateTimeOffset> RenewAtAsync(AcmeClient client, X509Certificate2 leaf, CancellationToken ct)
    {
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        try
        {
            if (await client.RenewalInfoAsync(leaf, ct) is { SuggestedWindow: var window } && window.End > window.Start)
                return window.Start + TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * (window.End - window.Start).Ticks));
        }
        catch (AcmeException e)
        {
            logger.LogInformation("No renewal information for {Subject}: {Error}; renewing with a third of its life left", leaf.Subject, e.Message);
        }

        return notAfter - (notAfter - notBefore) / 3;
    }
}
