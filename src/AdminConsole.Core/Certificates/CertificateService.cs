using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Certificates.Acme;
using AdminConsole.Core.Data;
using MailEngine.Addressing;
using MailEngine.Contracts;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Certificates;

/// <summary>An upload: a PEM chain and key, or a PKCS#12 file and its password; names empty: the certificate's own.</summary>
public sealed record CertificateUpload(IReadOnlyList<string>? Names, string? ChainPem, string? KeyPem, byte[]? Pkcs12, string? Password);

/// <summary>
/// A certificate to be issued by ACME. <paramref name="Authority"/> names a known CA (letsencrypt,
/// letsencrypt-staging, zerossl) or <paramref name="DirectoryUrl"/> gives any; neither: the configured one.
/// The external account binding is used once, to create the account, and never stored.
/// </summary>
public sealed record AcmeCertificateRequest(IReadOnlyList<string>? Names, string? Challenge = null, string? KeyAlgorithm = null, string? Authority = null,
    string? DirectoryUrl = null, string? Contact = null, bool AgreeToTerms = false, string? ExternalAccountKeyId = null, string? ExternalAccountMacKey = null);

/// <summary>
/// The server certificates: listed, uploaded (validated before saving), requested from an ACME CA (the
/// account is made at once, so terms and EAB problems are answered beside their fields; issuance runs
/// as a job, <see cref="CertificateIssuer"/>), revoked, deleted; and compiled into the snapshot. Private
/// keys are sealed by Data Protection and unsealed only for the encrypted snapshot.
/// </summary>
public sealed class CertificateService(AdminDbContext db, IDataProtectionProvider protection, AuditLog audit, TimeProvider clock,
    IOptions<CertificateOptions> options, IHttpClientFactory http, ConsoleCertificates? console = null, Engine.EngineNodes? nodes = null)
{
    public const string ConsoleHttps = "console HTTPS";

    public const int MaxNames = 100;
    public const int ExpiringDays = 30;
    private readonly IDataProtector _keys = protection.CreateProtector("AdminConsole.Certificates.PrivateKey.v1");
    private readonly IDataProtector _accounts = protection.CreateProtector("AdminConsole.Certificates.AcmeAccountKey.v1");

    public CertificateOptions Options => options.Value;

    public byte[] Seal(byte[] privateKey) => _keys.Protect(privateKey);

    public byte[] Unseal(ServerCertificate certificate) =>
        _keys.Unprotect(certificate.SealedPrivateKey ?? throw new InvalidOperationException("the certificate has not been issued"));

    public X509Certificate2Collection TrustedRoots() => AcmeHttp.ExtraRoots(Options.TrustedRootsFile);

    public async Task<IReadOnlyList<CertificateView>> ListAsync(CancellationToken ct = default)
    {
        var certificates = await db.ServerCertificates.AsNoTracking().Include(c => c.Events).OrderBy(c => c.CreatedAt).ToListAsync(ct);
        return certificates.Select(View).ToList();
    }

    public async Task<CertificateView> GetAsync(Guid id, CancellationToken ct = default) =>
        View(await db.ServerCertificates.AsNoTracking().Include(c => c.Events).SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw NotFound(id));

    public CertificateView View(ServerCertificate c)
    {
        var now = clock.GetUtcNow();
        var status = c.RevokedAt is not null ? "revoked"
            : c.ChainPem is null ? (c.LastError is null ? "pending" : "failed")
            : c.NotAfter <= now ? "expired"
            : c.NotAfter - now < TimeSpan.FromDays(ExpiringDays) ? "expiring"
            : "valid";
        int? daysLeft = c.NotAfter is { } notAfter ? (int)Math.Floor((notAfter - now).TotalDays) : null;
        return new CertificateView(c.Id, c.Names, c.Source == CertificateSource.Acme ? "acme" : "upload",
            c.Source == CertificateSource.Acme ? ChallengeName(c.Challenge) : null, KeyAlgorithmName(c.KeyAlgorithm), c.DirectoryUrl, status, c.Issuer, c.SerialNumber,
            c.NotBefore, c.NotAfter, daysLeft, c.RenewAt, c.LastError, c.NextAttemptAt, c.RevokedAt, c.CreatedAt,
            c.Events.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(50).Select(e => new CertificateEventView(e.At, e.Step, e.Message)).ToList(),
            c.SerialNumber is { } serial ? InUse(serial) : []);
    }

    /// <summary>Where the certificate with this serial is served now: the engine nodes that last said so, and the console's HTTPS.</summary>
    public IReadOnlyList<string> InUse(string serialNumber) =>
        [.. ServingNodes(serialNumber).Select(n => $"engine node {n}"), .. ConsoleServes(serialNumber) ? [ConsoleHttps] : Array.Empty<string>()];

    /// <summary>The engine nodes whose last status lists the certificate with this serial.</summary>
    public IReadOnlyList<string> ServingNodes(string serialNumber) => nodes?.Serving(serialNumber) ?? [];

    /// <summary>Whether this process's HTTPS has loaded the certificate with this serial.</summary>
    public bool ConsoleServes(string serialNumber) =>
        console is { Serving: true } && console.Current.All.Any(c => string.Equals(c.Leaf.SerialNumber, serialNumber, StringComparison.OrdinalIgnoreCase));

    /// <summary>The engine nodes this process follows (none in adminctl, and in a console without an engine or node configured).</summary>
    public IReadOnlyList<string> NodeNames => [.. (nodes?.All ?? []).Select(n => n.Name)];

    /// <summary>Whether this process serves the console's HTTPS.</summary>
    public bool ServesConsole => console?.Serving == true;

    public static string ChallengeName(AcmeChallengeKind kind) => kind switch
    {
        AcmeChallengeKind.Http01 => AcmeChallenge.Http01,
        AcmeChallengeKind.Dns01 => AcmeChallenge.Dns01,
        AcmeChallengeKind.TlsAlpn01 => AcmeChallenge.TlsAlpn01,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string KeyAlgorithmName(CertificateKeyAlgorithm algorithm) => algorithm == CertificateKeyAlgorithm.Rsa2048 ? "rsa-2048" : "ecdsa-p256";

    /// <summary>Stores an uploaded certificate once it passed every check; nothing is stored otherwise.</summary>
    public async Task<CertificateView> UploadAsync(CertificateUpload upload, string actor, string? remoteAddress = null, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        var names = NormalizeNames(upload.Names, errors, wildcardsAllowed: true);
        var pkcs12 = upload.Pkcs12 is { Length: > 0 };
        if (pkcs12 && (!string.IsNullOrWhiteSpace(upload.ChainPem) || !string.IsNullOrWhiteSpace(upload.KeyPem)))
            errors.Add("pkcs12Base64", "Upload either a PKCS#12 file or a PEM chain and key, not both.");
        errors.ThrowIfAny();

        using var material = pkcs12 ? CertificateMaterial.FromPkcs12(upload.Pkcs12, upload.Password) : CertificateMaterial.FromPem(upload.ChainPem, upload.KeyPem);
        if (names.Count == 0) names = [.. material.DnsNames];
        if (names.Count == 0) throw new DomainValidationException("names", "The certificate names no DNS name (subjectAltName): give the names it is for.");
        material.Validate(names, TrustedRoots(), clock.GetUtcNow(), pkcs12 ? "pkcs12Base64" : "certificatePem");
        var serial = material.Leaf.SerialNumber;
        if (await db.ServerCertificates.AnyAsync(c => c.Source == CertificateSource.Upload && c.SerialNumber == serial, ct))
            throw new DomainConflictException(pkcs12 ? "pkcs12Base64" : "certificatePem", $"This certificate (serial {serial}) is already uploaded.");

        var now = clock.GetUtcNow();
        var certificate = new ServerCertificate
        {
            Id = Guid.NewGuid(), Names = names, Source = CertificateSource.Upload,
            KeyAlgorithm = MailEngine.Tls.CertificateKeys.IsEcdsa(material.Leaf) ? CertificateKeyAlgorithm.EcdsaP256 : CertificateKeyAlgorithm.Rsa2048,
            CreatedAt = now, UpdatedAt = now,
        };
        Install(certificate, material, renewAt: null);
        certificate.Events.Add(Event(certificate, "uploaded", $"Uploaded by {actor}: issued by {certificate.Issuer}, valid until {Day(certificate.NotAfter!.Value)}."));
        db.ServerCertificates.Add(certificate);
        audit.Record(actor, "certificate.uploaded", $"certificate:{certificate.Id}", new { names, issuer = certificate.Issuer, notAfter = certificate.NotAfter }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(certificate);
    }

    /// <summary>Puts issued or uploaded material on the certificate (the key sealed).</summary>
    public void Install(ServerCertificate certificate, CertificateMaterial material, DateTimeOffset? renewAt)
    {
        certificate.ChainPem = material.ChainPem;
        certificate.SealedPrivateKey = Seal(material.PrivateKey);
        certificate.Issuer = material.Leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: true) is { Length: > 0 } cn ? cn : material.Leaf.Issuer;
        certificate.SerialNumber = material.Leaf.SerialNumber;
        certificate.NotBefore = new DateTimeOffset(material.Leaf.NotBefore.ToUniversalTime());
        certificate.NotAfter = new DateTimeOffset(material.Leaf.NotAfter.ToUniversalTime());
        certificate.RenewAt = renewAt;
        certificate.LastError = null;
        certificate.FailedAttempts = 0;
        certificate.NextAttemptAt = null;
        certificate.RevokedAt = null;
        certificate.UpdatedAt = clock.GetUtcNow();
    }

    /// <summary>
    /// Records a certificate to be issued by ACME, after making (or finding) our account at the CA: a CA
    /// whose terms were not agreed to, that needs EAB, or that cannot be reached is answered here, beside the field.
    /// </summary>
    public async Task<CertificateView> RequestAsync(AcmeCertificateRequest request, string actor, string? remoteAddress = null, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        AcmeChallengeKind? challenge = request.Challenge switch
        {
            null or "" or AcmeChallenge.Http01 => AcmeChallengeKind.Http01,
            AcmeChallenge.Dns01 => AcmeChallengeKind.Dns01,
            AcmeChallenge.TlsAlpn01 => AcmeChallengeKind.TlsAlpn01,
            _ => null,
        };
        if (challenge is null)
            errors.Add("challenge", $"The challenge is {AcmeChallenge.Http01} (the console answers on its HTTP port), {AcmeChallenge.TlsAlpn01} (the console's HTTPS port answers) or {AcmeChallenge.Dns01} (a TXT record published by RFC 2136).");
        var names = NormalizeNames(request.Names, errors, wildcardsAllowed: challenge == AcmeChallengeKind.Dns01);
        if (names.Count == 0 && !errors.Has("names")) errors.Add("names", "Give at least one name, such as mail.example.com.");
        if (challenge == AcmeChallengeKind.Dns01 && !errors.Has("names") && string.IsNullOrWhiteSpace(Options.Dns01Hook))
            foreach (var name in names)
                if (await Dns.DnsPublisher.PublishingDomainAsync(db, name.TrimStart('*', '.'), ct) is null)
                {
                    errors.Add("names", $"{name}: dns-01 needs an RFC 2136 server set up for its domain (on the domain's DNS page); none of our domains with one holds this name (or configure a dns-01 hook, Certificates:Dns01Hook, for another DNS provider).");
                    break;
                }
        var algorithm = request.KeyAlgorithm switch
        {
            null or "" or "ecdsa-p256" => CertificateKeyAlgorithm.EcdsaP256,
            "rsa-2048" => CertificateKeyAlgorithm.Rsa2048,
            _ => (CertificateKeyAlgorithm?)null,
        };
        if (algorithm is null) errors.Add("keyAlgorithm", "The key is ecdsa-p256 (the default) or rsa-2048.");
        var directory = DirectoryUrl(request, errors);
        string? contact = string.IsNullOrWhiteSpace(request.Contact) ? Options.Acme.Contact : request.Contact.Trim();
        if (contact is { Length: > 0 } && !EmailAddress.TryParse(contact.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? contact[7..] : contact, out _, out _))
            errors.Add("contact", "The contact is an e-mail address the CA may write to about the account.");
        byte[]? mac = null;
        if (!string.IsNullOrWhiteSpace(request.ExternalAccountKeyId) || !string.IsNullOrWhiteSpace(request.ExternalAccountMacKey))
        {
            if (string.IsNullOrWhiteSpace(request.ExternalAccountKeyId)) errors.Add("externalAccountKeyId", "Give the key id the CA shows beside the MAC key.");
            try
            {
                mac = System.Buffers.Text.Base64Url.DecodeFromChars((request.ExternalAccountMacKey ?? "").Trim());
                if (mac.Length == 0) throw new FormatException();
            }
            catch (FormatException)
            {
                errors.Add("externalAccountMacKey", "The MAC key is the base64url text the CA shows (for example on ZeroSSL's developer page).");
            }
        }

        errors.ThrowIfAny();
        var binding = mac is null ? ((string, byte[])?)null : (request.ExternalAccountKeyId!.Trim(), mac);
        await AccountAsync(directory!, contact, request.AgreeToTerms, binding, ct);

        var now = clock.GetUtcNow();
        var certificate = new ServerCertificate
        {
            Id = Guid.NewGuid(), Names = names, Source = CertificateSource.Acme, Challenge = challenge!.Value, KeyAlgorithm = algorithm!.Value,
            DirectoryUrl = directory, CreatedAt = now, UpdatedAt = now,
        };
        certificate.Events.Add(Event(certificate, "requested", $"Requested by {actor} from {directory} ({ChallengeName(certificate.Challenge)}, {KeyAlgorithmName(certificate.KeyAlgorithm)})."));
        db.ServerCertificates.Add(certificate);
        audit.Record(actor, "certificate.requested", $"certificate:{certificate.Id}", new { names, directory, challenge = ChallengeName(certificate.Challenge) }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(certificate);
    }

    private string? DirectoryUrl(AcmeCertificateRequest request, ValidationErrors errors)
    {
        if (!string.IsNullOrWhiteSpace(request.Authority))
        {
            if (CertificateOptions.KnownAuthorities.TryGetValue(request.Authority.Trim(), out var known)) return known;
            errors.Add("authority", $"The CA is one of {string.Join(", ", CertificateOptions.KnownAuthorities.Keys)}, or give its directory URL.");
            return null;
        }

        var url = string.IsNullOrWhiteSpace(request.DirectoryUrl) ? Options.Acme.DirectoryUrl : request.DirectoryUrl.Trim();
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps) return uri.ToString();
        errors.Add("directoryUrl", "The directory URL is the CA's https:// address (RFC 8555 §7.1.1).");
        return null;
    }

    /// <summary>Our account at <paramref name="directoryUrl"/>, made now if there is none (its key sealed).</summary>
    public async Task<AcmeClient> AccountAsync(string directoryUrl, string? contact, bool agreeToTerms, (string KeyId, byte[] MacKey)? binding, CancellationToken ct)
    {
        if (await ClientAsync(directoryUrl, ct) is { } existing) return existing;

        var key = AcmeAccountKey.Create();
        var client = new AcmeClient(http.CreateClient(AcmeHttp.ClientName), new Uri(directoryUrl), key, clock);
        AcmeDirectory directory;
        try
        {
            directory = await client.DirectoryAsync(ct);
        }
        catch (AcmeException e)
        {
            throw new DomainValidationException("directoryUrl", e.Problem.Describe());
        }

        if (directory.Meta?.TermsOfService is { } terms && !agreeToTerms)
            throw new DomainValidationException("agreeToTerms", $"The CA asks you to agree to its terms of service first: {terms}");
        if (directory.Meta?.ExternalAccountRequired == true && binding is null)
            throw new DomainValidationException("externalAccountKeyId", "This CA needs an external account binding: give the key id and MAC key from your account at the CA.");
        AcmeAccount account;
        try
        {
            account = await client.CreateAccountAsync(contact is { Length: > 0 } ? [contact] : [], agreeToTerms, binding, ct);
        }
        catch (AcmeException e)
        {
            var field = e.Problem.Name switch
            {
                "externalAccountRequired" or "unauthorized" when binding is not null => "externalAccountMacKey",
                "externalAccountRequired" => "externalAccountKeyId",
                "invalidContact" or "unsupportedContact" => "contact",
                "userActionRequired" => "agreeToTerms",
                _ => "directoryUrl",
            };
            throw new DomainValidationException(field, e.Problem.Describe());
        }

        db.AcmeAccounts.Add(new AcmeAccountRecord
        {
            Id = Guid.NewGuid(), DirectoryUrl = directoryUrl, AccountUrl = account.Location.ToString(), Contact = [.. account.Contact],
            SealedKey = _accounts.Protect(key.ExportPkcs8()), CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        return client;
    }

    /// <summary>
    /// Our account at <paramref name="directoryUrl"/> when the CA says it has none: the stale record goes
    /// and a new account is made with its contact, the terms having been agreed to for the old one. A CA
    /// that needs external account binding refuses this, in words: request the certificate again with it.
    /// </summary>
    public async Task<AcmeClient> ReplaceAccountAsync(string directoryUrl, string staleAccountUrl, CancellationToken ct)
    {
        var stale = await db.AcmeAccounts.SingleOrDefaultAsync(a => a.DirectoryUrl == directoryUrl, ct);
        // Another issuance replaced it meanwhile (two orders met the lost account at once): use that one.
        if (stale is not null && stale.AccountUrl != staleAccountUrl) return Client(stale);
        if (stale is not null)
        {
            db.AcmeAccounts.Remove(stale);
            await db.SaveChangesAsync(ct);
        }

        try
        {
            return await AccountAsync(directoryUrl, stale?.Contact.FirstOrDefault(), agreeToTerms: true, binding: null, ct);
        }
        catch (DomainValidationException e)
        {
            throw new CertificateIssuanceException("order", $"The CA no longer knows our account and a new one could not be made: {e.Message} Request the certificate again.", e);
        }
    }

    /// <summary>
    /// Moves our account at <paramref name="directoryUrl"/> (none: the configured CA) to a new key
    /// (RFC 8555 §7.3.5), as after a suspected leak of the old one; the old key is refused by the CA from
    /// then on. Returns the account URL, which stays the same.
    /// </summary>
    public async Task<string> RolloverAccountKeyAsync(string? directoryUrl, string actor, string? remoteAddress, CancellationToken ct)
    {
        var url = string.IsNullOrWhiteSpace(directoryUrl) ? Options.Acme.DirectoryUrl : directoryUrl.Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            throw new DomainValidationException("directoryUrl", "The directory URL is the CA's https:// address (RFC 8555 §7.1.1).");
        var record = await db.AcmeAccounts.SingleOrDefaultAsync(a => a.DirectoryUrl == uri.ToString(), ct)
            ?? throw new DomainNotFoundException($"There is no ACME account at {uri} (one is made with the first certificate requested from it).");
        var client = Client(record);
        var key = AcmeAccountKey.Create();
        try
        {
            await client.RolloverKeyAsync(key, ct);
        }
        catch (AcmeException e)
        {
            throw new DomainValidationException("directoryUrl", e.Problem.Describe());
        }

        // The CA has the new key now: it is stored whatever the caller's cancellation says.
        record.SealedKey = _accounts.Protect(key.ExportPkcs8());
        audit.Record(actor, "acme.account-key-rolled-over", $"acme-account:{record.Id}", new { directory = record.DirectoryUrl, account = record.AccountUrl }, remoteAddress);
        await db.SaveChangesAsync(CancellationToken.None);
        return record.AccountUrl;
    }

    /// <summary>A client signing as our account at <paramref name="directoryUrl"/>; null when we have none there.</summary>
    public async Task<AcmeClient?> ClientAsync(string? directoryUrl, CancellationToken ct) =>
        await db.AcmeAccounts.AsNoTracking().SingleOrDefaultAsync(a => a.DirectoryUrl == directoryUrl, ct) is { } account ? Client(account) : null;

    private AcmeClient Client(AcmeAccountRecord account)
    {
        var key = AcmeAccountKey.FromPkcs8(_accounts.Unprotect(account.SealedKey));
        return new AcmeClient(http.CreateClient(AcmeHttp.ClientName), new Uri(account.DirectoryUrl), key, clock) { AccountUrl = new Uri(account.AccountUrl) };
    }

    /// <summary>Asks for the next issuance at once (the caller starts the job): a failure's back-off is cleared.</summary>
    public async Task<CertificateView> RenewNowAsync(Guid id, string actor, string? remoteAddress, CancellationToken ct)
    {
        var certificate = await db.ServerCertificates.Include(c => c.Events).SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw NotFound(id);
        if (certificate.Source != CertificateSource.Acme) throw new DomainValidationException("source", "An uploaded certificate is renewed by uploading its successor.");
        certificate.NextAttemptAt = null;
        certificate.RevokedAt = null;
        audit.Record(actor, "certificate.renewal-requested", $"certificate:{id}", null, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(certificate);
    }

    /// <summary>Revokes an issued ACME certificate at its CA (RFC 8555 §7.6); it leaves the snapshot at once.</summary>
    public async Task<CertificateView> RevokeAsync(Guid id, string actor, string? remoteAddress, CancellationToken ct)
    {
        var certificate = await db.ServerCertificates.Include(c => c.Events).SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw NotFound(id);
        if (certificate.Source != CertificateSource.Acme || certificate.ChainPem is null)
            throw new DomainValidationException("source", "Only an issued ACME certificate can be revoked here; delete an uploaded one.");
        if (certificate.RevokedAt is not null) throw new DomainConflictException("source", "The certificate is already revoked.");
        var client = await ClientAsync(certificate.DirectoryUrl, ct)
            ?? throw new DomainValidationException("directoryUrl", $"There is no account at {certificate.DirectoryUrl} any more.");
        using var leaf = X509Certificate2.CreateFromPem(certificate.ChainPem);
        try
        {
            // RFC 5280 §5.3.1: 4 is superseded, the usual reason when a certificate is replaced.
            await client.RevokeAsync(leaf, 4, ct);
        }
        catch (AcmeException e) when (e.Problem.Name != "alreadyRevoked")
        {
            throw new DomainValidationException("source", e.Problem.Describe());
        }

        // Not renewed while revoked (the issuer skips revoked certificates) until an admin asks for it.
        certificate.RevokedAt = clock.GetUtcNow();
        certificate.Events.Add(Event(certificate, "revoked", $"Revoked by {actor}."));
        audit.Record(actor, "certificate.revoked", $"certificate:{id}", new { names = certificate.Names }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(certificate);
    }

    public async Task DeleteAsync(Guid id, string actor, string? remoteAddress, CancellationToken ct)
    {
        var certificate = await db.ServerCertificates.SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw NotFound(id);
        db.ServerCertificates.Remove(certificate);
        audit.Record(actor, "certificate.deleted", $"certificate:{id}", new { names = certificate.Names }, remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The certificates the engine serves: issued, not revoked, in date; the longest-lived last, so it wins a name two certificates share.</summary>
    public async Task<IReadOnlyList<SnapshotCertificate>> ForSnapshotAsync(CancellationToken ct)
    {
        var served = await Served().OrderBy(c => c.NotAfter).ThenBy(c => c.Id).ToListAsync(ct);
        return served.Select(c => new SnapshotCertificate(c.Names, c.ChainPem!, Convert.ToBase64String(Unseal(c)))).ToList();
    }

    /// <summary>Which certificates <see cref="ForSnapshotAsync"/> gives now and when each last changed, without reading a key.</summary>
    public async Task<string> ServedVersionAsync(CancellationToken ct)
    {
        var served = await Served().OrderBy(c => c.Id).Select(c => new { c.Id, c.UpdatedAt }).ToListAsync(ct);
        return string.Join(",", served.Select(c => $"{c.Id}@{c.UpdatedAt.UtcTicks}"));
    }

    /// <summary>Issued, not revoked, in date.</summary>
    private IQueryable<ServerCertificate> Served()
    {
        var now = clock.GetUtcNow();
        return db.ServerCertificates.AsNoTracking().Where(c => c.ChainPem != null && c.SealedPrivateKey != null && c.RevokedAt == null && c.NotAfter > now && c.NotBefore <= now);
    }

    public CertificateEvent Event(ServerCertificate certificate, string step, string message) =>
        new() { CertificateId = certificate.Id, At = clock.GetUtcNow(), Step = step, Message = message.Length > 2000 ? message[..2000] : message };

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Names lower case, A-labels, each once; "*.example.com" only where wildcards may be.</summary>
    public static List<string> NormalizeNames(IReadOnlyList<string>? names, ValidationErrors errors, bool wildcardsAllowed)
    {
        var result = new List<string>();
        foreach (var raw in (names ?? []).Where(n => !string.IsNullOrWhiteSpace(n)))
        {
            var name = raw.Trim().TrimEnd('.');
            var wildcard = name.StartsWith("*.", StringComparison.Ordinal);
            if (wildcard && !wildcardsAllowed)
            {
                errors.Add("names", $"{name}: a wildcard can only be proven with the dns-01 challenge; choose it, give each name, or upload a wildcard certificate.");
                return result;
            }

            if (!EmailAddress.TryNormalizeDomain(wildcard ? name[2..] : name, out var normalized, out var error))
            {
                errors.Add("names", $"{raw.Trim()}: {error}");
                return result;
            }

            normalized = wildcard ? "*." + normalized : normalized;
            if (!result.Contains(normalized)) result.Add(normalized);
        }

        if (result.Count > MaxNames) errors.Add("names", $"At most {MaxNames} names in one certificate.");
        return result;
    }

    private static DomainNotFoundException NotFound(Guid id) => new($"No certificate {id}.");
}
