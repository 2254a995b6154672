using AdminConsole.Core;
using AdminConsole.Core.Accounts;
using AdminConsole.Core.Data;
using AdminConsole.Core.Domains;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AdminCtl;

/// <summary>
/// The operator's command line over the same services as the console. Secrets it creates
/// (passwords, tokens) go to standard output once and are stored only as hashes.
/// Exit codes: 0 done, 1 refused (bad input, conflict, not found), 2 usage, 3 database unreachable.
/// </summary>
public static class AdminCtlApp
{
    public const string Actor = "adminctl";

    private const string Usage = """
        usage: adminctl <command>

          migrate                                   apply pending database migrations
          admin create EMAIL [--role administrator|read-only]
                                                    create an admin account; prints its password once
          admin reset-password EMAIL                set a new generated password; prints it once
          admin list                                list admin accounts
          admin unlock EMAIL                        lift the sign-in locks on an account (admin or
                                                    mailbox): its own and every source address's
          admin role EMAIL administrator|read-only  change an admin's role (its sessions end)
          admin remove-2fa EMAIL                    remove an admin's second factor (lost phone)
          admin remove EMAIL                        remove an admin account (never the last administrator)
          token create NAME [--scope read|read-write]
                                                    create an API token; prints it once
          token list                                list API tokens (never their secrets)
          token revoke NAME                         revoke the active token with that name
          dns records DOMAIN                        the records the domain needs, as a zone file fragment
          dns check DOMAIN                          ask the domain's name servers for each record; exits 1
                                                    when one is missing or different
          dns publish DOMAIN                        send what is missing or different by RFC 2136 (set the
                                                    server and TSIG key on the DNS page or the API first)
          dkim list DOMAIN                          the domain's DKIM keys and the TXT record each
                                                    needs published (never a private key)
          dkim ensure [DOMAIN]                      give the domain (or every domain) an RSA and an
                                                    Ed25519 signing key where it has none (domains made
                                                    before DKIM existed); the engine signs with them at
                                                    its next snapshot
          dkim rotate DOMAIN                        start a key rotation: make the next keys (published
                                                    by RFC 2136 when set up, else shown to publish)
          dkim advance DOMAIN                       take every rotation step that is due: switch signing
                                                    once every name server has the new records, retire
                                                    the old keys after the grace period, destroy them
                                                    once their records are gone (the hourly job does too)
          dkim schedule DOMAIN MONTHS|off           rotate automatically every MONTHS months (1-24)
          alerts list                               the alerts firing and pending, and the last day's
                                                    fired/resolved; exits 1 while one fires
          alerts rules                              the alert rules as a Prometheus rules file, with the
                                                    Alerts:* thresholds (deploy/prometheus/mail-alerts.yml
                                                    has the defaults)
          certificates list                         every server certificate: names, source, status, days
                                                    left, renewal time and the last error
          certificates upload --chain FILE --key FILE [--names NAME,...]
          certificates upload --pkcs12 FILE --password-stdin [--names NAME,...]
                                                    store a certificate after checking it (key matches,
                                                    chain builds, names covered, in date); the PKCS#12
                                                    password is read from standard input, never argv
          certificates request NAME... --agree-tos [--authority letsencrypt|letsencrypt-staging|zerossl
                     | --directory URL] [--contact ADDR] [--key rsa-2048] [--eab-kid KID --eab-mac-stdin]
                     [--challenge http-01|tls-alpn-01|dns-01]
                                                    order a certificate by ACME and issue it now: http-01
                                                    (the console must be reachable on port 80 for each
                                                    name), tls-alpn-01 (on its HTTPS port 443) or dns-01
                                                    (RFC 2136, wildcards too); the EAB MAC key is read
                                                    from standard input
          certificates renew ID                     issue (renew) an ACME certificate now
          certificates revoke ID                    revoke an ACME certificate at its CA
          certificates delete ID                    remove a certificate (the engine falls back to the
                                                    next one for its names, or its own)
          certificates rollover-account [--directory URL]
                                                    move our ACME account (at the configured CA, or URL)
                                                    to a new key (RFC 8555 key change); the old key is
                                                    refused by the CA from then on
          srs status                                when each Sender Rewriting Scheme secret in use was
                                                    made, and when the next rotation is due
          srs rotate                                make a new SRS signing secret now (addresses made with
                                                    the old one are still honoured for 21 days); the
                                                    engine gets it at its next snapshot
          sieve-test SCRIPT MESSAGE [--from ADDR|'<>'] [--to ADDR] [--spam-score N | --scan]
                                                    run a Sieve script on a message file and print the
                                                    actions, one per line (errors as line:column); the
                                                    envelope defaults to the From and first To address,
                                                    '<>' is the null sender; spamtest sees N points, or
                                                    what the engine's scanner scores (--scan), or 0
          spam train --spam DIR --ham DIR           teach the engine's Bayes model the messages in two
                                                    folders (one message per file); the running engine
                                                    reads the updated model on its next scan
          spam eval --spam DIR --ham DIR [--threshold N]
                                                    train a fresh model on 70% of the messages and report
                                                    precision, recall, F1 and false-positive rate on the
                                                    held-out 30% (rules, Bayes, both)
          spam scan MESSAGE                         the symbols and score of one message (default policy)
          auth-check MESSAGE --client-ip IP --helo NAME --mail-from ADDR|'<>' [--dns HOST:PORT]
                     [--authserv-id NAME]           the inbound checks the engine runs at DATA: SPF for
                                                    MAIL FROM and HELO (with the mechanism that matched),
                                                    every DKIM signature, DMARC, and the
                                                    Authentication-Results field it would add; --dns
                                                    sends every query to that server (default
                                                    Engine__DnsServer, else the system resolver)

        Settings come from the environment: Database__Host, Database__Port, Database__Name,
        Database__Username, and the credentials folder (CREDENTIALS_DIRECTORY or
        Credentials__Directory) holding db-password; the spam commands use Engine__StateDirectory
        (the engine's state folder, where the Bayes model lives) and need no database.
        """;

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await stdout.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        // Needs no database: it is the engine's interpreter on files.
        if (args[0] == "sieve-test") return args.Length >= 3 ? await SieveTestAsync(args, configuration, stdout, stderr) : await UsageErrorAsync(stderr);
        if (args[0] == "spam") return await SpamAsync(args, configuration, stdout, stderr);
        if (args[0] == "auth-check") return await AuthCheckAsync(args, configuration, stdout, stderr, ct);

        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error));
        services.AddSingleton(configuration); // the mail host of the DNS records: Dns:MailHost or Engine:HostName, as the console reads them
        services.AddAdminConsoleCore(configuration);
        // DKIM keys are sealed with the console's Data Protection key ring (in PostgreSQL, under the master key).
        services.AddAdminConsoleDataProtection();
        // Changes made here enqueue an engine push that the console's job server runs.
        services.AddAdminConsoleJobs();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var sp = scope.ServiceProvider;

        try
        {
            return (args[0], args.Length > 1 ? args[1] : null) switch
            {
                ("migrate", _) when args.Length == 1 => await MigrateAsync(sp, stdout, ct),
                ("admin", "create") when args.Length >= 3 => await CreateAdminAsync(sp, args[2], Option(args, "--role"), stdout, stderr, ct),
                ("admin", "reset-password") when args.Length == 3 => await ResetAdminPasswordAsync(sp, args[2], stdout, ct),
                ("admin", "list") when args.Length == 2 => await ListAdminsAsync(sp, stdout, ct),
                ("admin", "unlock") when args.Length == 3 => await UnlockAsync(sp, args[2], stdout, ct),
                ("admin", "role") when args.Length == 4 => await SetAdminRoleAsync(sp, args[2], args[3], stdout, stderr, ct),
                ("admin", "remove-2fa") when args.Length == 3 => await RemoveAdminTwoFactorAsync(sp, args[2], stdout, ct),
                ("admin", "remove") when args.Length == 3 => await RemoveAdminAsync(sp, args[2], stdout, ct),
                ("token", "create") when args.Length >= 3 => await CreateTokenAsync(sp, args[2], Option(args, "--scope"), stdout, stderr, ct),
                ("token", "list") when args.Length == 2 => await ListTokensAsync(sp, stdout, ct),
                ("token", "revoke") when args.Length == 3 => await RevokeTokenAsync(sp, args[2], stdout, stderr, ct),
                ("dns", "records") when args.Length == 3 => await DnsRecordsAsync(sp, args[2], stdout, ct),
                ("dns", "check") when args.Length == 3 => await DnsCheckAsync(sp, args[2], stdout, ct),
                ("dns", "publish") when args.Length == 3 => await DnsPublishAsync(sp, args[2], stdout, ct),
                ("dkim", "list") when args.Length == 3 => await ListDkimAsync(sp, args[2], stdout, ct),
                ("dkim", "ensure") when args.Length is 2 or 3 => await EnsureDkimAsync(sp, args.Length == 3 ? args[2] : null, stdout, ct),
                ("srs", "status") when args.Length == 2 => await SrsStatusAsync(sp, stdout, ct),
                ("srs", "rotate") when args.Length == 2 => await SrsRotateAsync(sp, stdout, ct),
                ("dkim", "rotate") when args.Length == 3 => await RotateDkimAsync(sp, args[2], start: true, stdout, ct),
                ("dkim", "advance") when args.Length == 3 => await RotateDkimAsync(sp, args[2], start: false, stdout, ct),
                ("dkim", "schedule") when args.Length == 4 => await ScheduleDkimAsync(sp, args[2], args[3], stdout, stderr, ct),
                ("certificates", "list") when args.Length == 2 => await ListCertificatesAsync(sp, stdout, ct),
                ("certificates", "upload") when args.Length >= 4 => await UploadCertificateAsync(sp, args, stdout, ct),
                ("certificates", "request") when args.Length >= 3 => await RequestCertificateAsync(sp, args, stdout, ct),
                ("certificates", "renew") when args.Length == 3 => await RenewCertificateAsync(sp, args[2], stdout, ct),
                ("certificates", "revoke") when args.Length == 3 => await RevokeCertificateAsync(sp, args[2], stdout, ct),
                ("certificates", "delete") when args.Length == 3 => await DeleteCertificateAsync(sp, args[2], stdout, ct),
                ("certificates", "rollover-account") when args.Length is 2 or 4 && (args.Length == 2 || args[2] == "--directory") =>
                    await RolloverAccountAsync(sp, args.Length == 4 ? args[3] : null, stdout, ct),
                ("alerts", "list") when args.Length == 2 => await ListAlertsAsync(sp, stdout, ct),
                ("alerts", "rules") when args.Length == 2 => await AlertRulesAsync(sp, stdout),
                _ => await UsageErrorAsync(stderr),
            };
        }
        catch (DomainValidationException e)
        {
            await stderr.WriteLineAsync($"adminctl: {e.Field}: {e.Message}");
            return 1;
        }
        catch (DomainNotFoundException e)
        {
            await stderr.WriteLineAsync($"adminctl: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException || e.InnerException is Npgsql.NpgsqlException)
        {
            await stderr.WriteLineAsync($"adminctl: cannot use the database: {(e.InnerException ?? e).Message}");
            return 3;
        }
        catch (InvalidOperationException e) when (e.Message.Contains("credential", StringComparison.OrdinalIgnoreCase))
        {
            await stderr.WriteLineAsync($"adminctl: {e.Message}");
            return 3;
        }
    }

    private static async Task WriteCertificateAsync(AdminConsole.Core.Certificates.CertificateView c, TextWriter stdout)
    {
        await stdout.WriteLineAsync($"{c.Id}\t{c.Status}\t{c.Source}\t{string.Join(",", c.Names)}\t" +
            (c.NotAfter is { } notAfter ? $"until {notAfter.UtcDateTime:yyyy-MM-dd} ({c.DaysLeft} days)" : "not issued") +
            (c.RenewAt is { } renew ? $"\trenew {renew.UtcDateTime:yyyy-MM-dd}" : "") + (c.Issuer is { } issuer ? $"\t{issuer}" : ""));
        if (c.LastError is { } error) await stdout.WriteLineAsync($"\tlast error: {error}" + (c.NextAttemptAt is { } next ? $" (next attempt {next.UtcDateTime:yyyy-MM-dd HH:mm} UTC)" : ""));
    }

    /// <summary>The alerts firing and pending now, then the day's fired/resolved events; exits 1 while one fires (for scripts and cron).</summary>
    private static async Task<int> ListAlertsAsync(IServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        var alerts = sp.GetRequiredService<AdminConsole.Core.Alerts.AlertService>();
        var current = await alerts.CurrentAsync(ct);
        foreach (var a in current)
            await stdout.WriteLineAsync($"{a.Status}\t{a.Severity}\t{a.Rule}\t{a.Subject}\tsince {a.Since.UtcDateTime:yyyy-MM-dd HH:mm} UTC\t{a.Message}");
        if (current.Count == 0) await stdout.WriteLineAsync("no alerts");
        var day = DateTimeOffset.UtcNow.AddDays(-1);
        foreach (var e in (await alerts.HistoryAsync(100, ct)).Where(e => e.At >= day))
            await stdout.WriteLineAsync($"\t{e.At.UtcDateTime:yyyy-MM-dd HH:mm} UTC\t{e.Kind}\t{e.Rule}\t{e.Subject}");
        return current.Any(a => a.Status == "firing") ? 1 : 0;
    }

    /// <summary>The alert rules as a Prometheus rules file with this installation's thresholds.</summary>
    private static async Task<int> AlertRulesAsync(IServiceProvider sp, TextWriter stdout)
    {
        var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<AdminConsole.Core.Alerts.AlertOptions>>().Value;
        await stdout.WriteAsync(AdminConsole.Core.Alerts.PrometheusAlertRules.Yaml(options));
        return 0;
    }

    private static async Task<int> ListCertificatesAsync(IServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        var all = await sp.GetRequiredService<AdminConsole.Core.Certificates.CertificateService>().ListAsync(ct);
        foreach (var c in all) await WriteCertificateAsync(c, stdout);
        if (all.Count == 0) await stdout.WriteLineAsync("no certificates: the engine serves its own self-signed one");
        return 0;
    }

    private static List<string>? Names(string[] args) => Option(args, "--names")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static async Task<int> UploadCertificateAsync(IServiceProvider sp, string[] args, TextWriter stdout, CancellationToken ct)
    {
        static string Read(string? path, string field) => path is null ? throw new DomainValidationException(field, $"give {field}")
            : File.Exists(path) ? File.ReadAllText(path) : throw new DomainValidationException(field, $"no file {path}");
        AdminConsole.Core.Certificates.CertificateUpload upload;
        if (Option(args, "--pkcs12") is { } pfx)
        {
            if (!File.Exists(pfx)) throw new DomainValidationException("--pkcs12", $"no file {pfx}");
            var password = args.Contains("--password-stdin") ? (await Console.In.ReadLineAsync(ct))?.TrimEnd('\r') : null;
            upload = new(Names(args), null, null, await File.ReadAllBytesAsync(pfx, ct), password);
        }
        else
        {
            upload = new(Names(args), Read(Option(args, "--chain"), "--chain"), Read(Option(args, "--key"), "--key"), null, null);
        }

        await WriteCertificateAsync(await sp.GetRequiredService<AdminConsole.Core.Certificates.CertificateService>().UploadAsync(upload, Actor, ct: ct), stdout);
        return 0;
    }

    private static async Task<int> RequestCertificateAsync(IServiceProvider sp, string[] args, TextWriter stdout, CancellationToken ct)
    {
        var valued = new HashSet<string> { "--authority", "--directory", "--contact", "--key", "--eab-kid", "--challenge" };
        var names = new List<string>();
        for (var i = 2; i < args.Length; i++)
        {
            if (valued.Contains(args[i])) i++;
            else if (!args[i].StartsWith("--", StringComparison.Ordinal)) names.Add(args[i]);
        }

        var mac = args.Contains("--eab-mac-stdin") ? (await Console.In.ReadLineAsync(ct))?.Trim() : null;
        var service = sp.GetRequiredService<AdminConsole.Core.Certificates.CertificateService>();
        var view = await service.RequestAsync(new AdminConsole.Core.Certificates.AcmeCertificateRequest(names, Option(args, "--challenge"), Option(args, "--key"), Option(args, "--authority"),
            Option(args, "--directory"), Option(args, "--contact"), args.Contains("--agree-tos"), Option(args, "--eab-kid"), mac), Actor, ct: ct);
        await sp.GetRequiredService<AdminConsole.Core.Certificates.CertificateIssuer>().IssueAsync(view.Id, ct);
        return await ShowIssuedAsync(service, view.Id, stdout, ct);
    }

    private static async Task<int> ShowIssuedAsync(AdminConsole.Core.Certificates.CertificateService service, Guid id, TextWriter stdout, CancellationToken ct)
    {
        var view = await service.GetAsync(id, ct);
        await WriteCertificateAsync(view, stdout);
        return view.Status is "valid" or "expiring" ? 0 : 1;
    }

    private static Guid CertificateId(string text) => Guid.TryParse(text, out var id) ? id : throw new DomainValidationException("ID", $"{text} is not a certificate id (see certificates list)");

    private static async Task<int> RenewCertificateAsync(IServiceProvider sp, string text, TextWriter stdout, CancellationToken ct)
    {
        var service = sp.GetRequiredService<AdminConsole.Core.Certificates.CertificateService>();
        var id = CertificateId(text);
        await service.RenewNowAsync(id, Actor, null, ct);
        await sp.GetRequiredService<AdminConsole.Core.Certificates.CertificateIssuer>().IssueAsync(id, ct);
        return await ShowIssuedAsync(service, id, stdout, ct);
    }

    private static async Task<int> RevokeCertificateAsync(IServiceProvider sp, string text, TextWriter stdout, CancellationToken ct)
    {
        await WriteCertificateAsync(await sp.GetRequiredService<AdminConsole.Core.Certificates.CertificateService>().RevokeAsync(CertificateId(text), Actor, null, ct), stdout);
        return 0;
    }

    private static async Task<int> RolloverAccountAsync(IServiceProvider sp, string? directory, TextWriter stdout, CancellationToken ct)
    {
        var account = await sp.GetRequiredService<AdminConsole.Core.Certificates.CertificateService>().RolloverAccountKeyAsync(directory, Actor, null, ct);
        await stdout.WriteLineAsync($"account {account} now signs with a new key");
        return 0;
    }

    private static async Task<int> DeleteCertificateAsync(IServiceProvider sp, string text, TextWriter stdout, CancellationToken ct)
    {
        await sp.GetRequiredService<AdminConsole.Core.Certificates.CertificateService>().DeleteAsync(CertificateId(text), Actor, null, ct);
        await stdout.WriteLineAsync($"deleted {text}");
        return 0;
    }

    private static Task<AdminConsole.Core.Domains.MailDomain> DomainAsync(IServiceProvider sp, string name, CancellationToken ct) =>
        sp.GetRequiredService<AdminDbContext>().DomainAsync(name, ct);

    private static async Task<int> DnsRecordsAsync(IServiceProvider sp, string name, TextWriter stdout, CancellationToken ct)
    {
        await stdout.WriteAsync(await sp.GetRequiredService<AdminConsole.Core.Dns.DnsRecordService>().ZoneAsync(name, ct));
        return 0;
    }

    private static async Task<int> DnsCheckAsync(IServiceProvider sp, string name, TextWriter stdout, CancellationToken ct) =>
        await WriteCheckAsync(await sp.GetRequiredService<AdminConsole.Core.Dns.DnsRecordService>().CheckAsync(name, ct), stdout);

    private static async Task<int> DnsPublishAsync(IServiceProvider sp, string name, TextWriter stdout, CancellationToken ct)
    {
        var result = await sp.GetRequiredService<AdminConsole.Core.Dns.DnsPublisher>().PublishAsync(name, Actor, null, ct);
        foreach (var added in result.Added) await stdout.WriteLineAsync($"added\t{added}");
        foreach (var replaced in result.Replaced) await stdout.WriteLineAsync($"replaced\t{replaced}");
        foreach (var removed in result.Removed) await stdout.WriteLineAsync($"deleted\t{removed}");
        return await WriteCheckAsync(result.Check, stdout);
    }

    /// <summary>One line per record and server: status, type, name, and the value found when it differs.</summary>
    private static async Task<int> WriteCheckAsync(AdminConsole.Core.Dns.DnsCheckResult check, TextWriter stdout)
    {
        if (check.Error is not null)
        {
            await stdout.WriteLineAsync($"error\t{check.Error}");
            return 1;
        }

        foreach (var record in check.Records)
            await stdout.WriteLineAsync($"{record.Status}\t{record.Type}\t{record.Name}" + string.Concat(record.Answers.Where(a => a.Found is not null).Select(a => $"\t{a.NameServer} has: {a.Found}")));
        await stdout.WriteLineAsync($"zone {check.Zone} on {string.Join(", ", check.NameServers)}; DNSSEC {(check.Signed ? check.Validated ? "signed and validated" : "signed" : "not signed")}; {check.Broken} record(s) to fix");
        return check.Broken == 0 ? 0 : 1;
    }

    private static async Task<int> ListDkimAsync(IServiceProvider sp, string name, TextWriter stdout, CancellationToken ct)
    {
        var domain = await DomainAsync(sp, name, ct);
        foreach (var key in await sp.GetRequiredService<AdminConsole.Core.Dkim.DkimKeyService>().ListAsync(domain.Name, ct))
        {
            await stdout.WriteLineAsync($"{key.Selector}\t{key.Algorithm.ToString().ToLowerInvariant()}\t{key.State.ToString().ToLowerInvariant()}\t{key.RecordName}");
            await stdout.WriteLineAsync($"\t{key.RecordValue}");
        }

        await WriteRotationAsync(await sp.GetRequiredService<AdminConsole.Core.Dkim.DkimRotation>().StatusAsync(domain.Name, ct), stdout);
        return 0;
    }

    private static async Task<int> SrsStatusAsync(IServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        var status = await sp.GetRequiredService<AdminConsole.Core.Srs.SrsSecretService>().StatusAsync(ct);
        foreach (var made in status.SecretsCreatedAt) await stdout.WriteLineAsync($"secret made {made:u}");
        await stdout.WriteLineAsync(status.NextRotation is { } next ? $"next rotation {next:u}" : "no secret yet: the first snapshot makes one");
        return 0;
    }

    private static async Task<int> SrsRotateAsync(IServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        var secrets = sp.GetRequiredService<AdminConsole.Core.Srs.SrsSecretService>();
        await secrets.RotateAsync(force: true, Actor, ct);
        await stdout.WriteLineAsync("A new SRS secret signs from the next snapshot; the previous ones are honoured for 21 days.");
        return await SrsStatusAsync(sp, stdout, ct);
    }

    private static async Task WriteRotationAsync(AdminConsole.Core.Dkim.DkimRotationStatus status, TextWriter stdout) =>
        await stdout.WriteLineAsync($"rotation {status.Step.ToString().ToLowerInvariant()}: {status.Next}");

    /// <summary>dkim rotate / advance: one call of the rotation, what it did, then where it stands.</summary>
    private static async Task<int> RotateDkimAsync(IServiceProvider sp, string name, bool start, TextWriter stdout, CancellationToken ct)
    {
        var rotation = sp.GetRequiredService<AdminConsole.Core.Dkim.DkimRotation>();
        var result = start ? await rotation.StartAsync(name, Actor, null, ct) : await rotation.AdvanceAsync(name, Actor, null, ct);
        foreach (var done in result.Done) await stdout.WriteLineAsync(done);
        await WriteRotationAsync(result.Status, stdout);
        return 0;
    }

    private static async Task<int> ScheduleDkimAsync(IServiceProvider sp, string name, string months, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        int? every = null;
        if (months != "off")
        {
            if (!int.TryParse(months, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                await stderr.WriteLineAsync($"adminctl: {months}: a number of months (1 to {AdminConsole.Core.Dkim.DkimRotation.MaxEveryMonths}) or off");
                return 2;
            }

            every = parsed;
        }

        await WriteRotationAsync(await sp.GetRequiredService<AdminConsole.Core.Dkim.DkimRotation>().ScheduleAsync(name, every, Actor, null, ct), stdout);
        return 0;
    }

    private static async Task<int> EnsureDkimAsync(IServiceProvider sp, string? name, TextWriter stdout, CancellationToken ct)
    {
        var keys = sp.GetRequiredService<AdminConsole.Core.Dkim.DkimKeyService>();
        var db = sp.GetRequiredService<AdminDbContext>();
        var domains = name is null ? await db.Domains.OrderBy(d => d.Name).ToListAsync(ct) : [await DomainAsync(sp, name, ct)];
        var made = 0;
        foreach (var domain in domains)
        {
            foreach (var key in await keys.EnsureSigningKeysAsync(domain, Actor, ct))
            {
                await stdout.WriteLineAsync($"{domain.Name}: made {key.Selector} ({key.Algorithm.ToString().ToLowerInvariant()}); publish {key.Selector}._domainkey.{domain.Name}");
                made++;
            }
        }

        await db.SaveChangesAsync(ct);
        if (made == 0) await stdout.WriteLineAsync("Every domain has its signing keys.");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>
    /// sieve-test: the actions a script takes on a message, in the stable form of
    /// <see cref="MailEngine.Sieve.SieveAction.Describe"/>; what other Sieve implementations print can be
    /// compared with it. Folders do not exist (mailboxexists is false) and no reply has been sent yet.
    /// </summary>
    private static async Task<int> SieveTestAsync(string[] args, IConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        string script;
        byte[] message;
        try
        {
            script = await File.ReadAllTextAsync(args[1]);
            message = await File.ReadAllBytesAsync(args[2]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"adminctl: {e.Message}");
            return 1;
        }

        double? spamScore = null;
        if (Option(args, "--spam-score") is { } points)
        {
            if (!double.TryParse(points, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || parsed is < -100 or > 1000)
            {
                await stderr.WriteLineAsync($"adminctl: --spam-score {points}: a number of points between -100 and 1000");
                return 2;
            }

            spamScore = parsed;
        }
        else if (args.Contains("--scan"))
        {
            // The engine's own scanner on the message, with the default thresholds: what delivery would see.
            // The engine's state folder: its compiled-rule cache and Bayes model (as "spam scan" uses them).
            var scanner = new MailEngine.Scanner.SpamScanner(new MailEngine.Scanner.ScannerOptions(), configuration["Engine:StateDirectory"] ?? ".local/engine", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            var verdict = scanner.Evaluate(scanner.Scan(MailEngine.Scanner.MessageAnalysis.Load(message)), MailEngine.Contracts.SpamPolicy.Default);
            spamScore = verdict.Score;
            await stdout.WriteLineAsync($"# spam score {verdict.Score.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} ({string.Join(' ', verdict.Symbols.Select(s => s.Name))})");
        }

        var trial = MailEngine.Sieve.SieveTrial.Run(script, message, Option(args, "--from"), Option(args, "--to"), null, DateTimeOffset.Now, spamScore);
        foreach (var error in trial.CompileErrors) await stderr.WriteLineAsync($"{args[1]}:{error}");
        if (trial.MessageError is not null) await stderr.WriteLineAsync($"adminctl: {args[2]}: not a message: {trial.MessageError}");
        if (trial.Result is not { } result) return 1;
        await stdout.WriteAsync(result.Describe());
        return 0;
    }

    /// <summary>
    /// auth-check: the engine's own SPF/DKIM/DMARC code (MessageAuthentication) on a message file with
    /// the SMTP facts given, so an operator can see why a message was refused or filed into Junk, and
    /// compare with other verifiers. Needs no database.
    /// </summary>
    private static async Task<int> AuthCheckAsync(string[] args, IConfiguration configuration, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var (client, helo, mailFrom) = (Option(args, "--client-ip"), Option(args, "--helo"), Option(args, "--mail-from"));
        if (args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal) || client is null || helo is null || mailFrom is null) return await UsageErrorAsync(stderr);
        if (!System.Net.IPAddress.TryParse(client, out var ip))
        {
            await stderr.WriteLineAsync($"adminctl: --client-ip {client}: not an IPv4 or IPv6 address");
            return 2;
        }

        MailEngine.Dns.IDnsLookup dns;
        try
        {
            dns = MailEngine.Dns.SystemDnsLookup.For(Option(args, "--dns") ?? configuration["Engine:DnsServer"]);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"adminctl: --dns: {e.Message}");
            return 2;
        }

        MimeKit.MimeMessage message;
        try
        {
            message = MimeKit.MimeMessage.Load(new MemoryStream(await File.ReadAllBytesAsync(args[1], ct)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"adminctl: {e.Message}");
            return 1;
        }
        catch (FormatException e)
        {
            await stderr.WriteLineAsync($"adminctl: {args[1]}: not a message: {e.Message}");
            return 1;
        }

        var authserv = Option(args, "--authserv-id") ?? configuration["Engine:HostName"] ?? System.Net.Dns.GetHostName();
        var report = await new MailEngine.Auth.MessageAuthentication(dns, MailEngine.Addressing.PublicSuffixList.System, TimeProvider.System)
            .CheckAsync(authserv, ip, helo, mailFrom == "<>" ? "" : mailFrom.Trim('<', '>'), message, ct);
        await stdout.WriteAsync(report.Describe());
        return 0;
    }

    /// <summary>spam train / eval / scan: the engine's scanner and Bayes model on folders of messages.</summary>
    private static async Task<int> SpamAsync(string[] args, IConfiguration configuration, TextWriter stdout, TextWriter stderr)
    {
        var command = args.Length > 1 ? args[1] : null;
        var spamDir = Option(args, "--spam");
        var hamDir = Option(args, "--ham");
        if (command is "train" or "eval" && (spamDir is null || hamDir is null)) return await UsageErrorAsync(stderr);
        if (command is not ("train" or "eval" or "scan") || (command == "scan" && args.Length < 3)) return await UsageErrorAsync(stderr);
        var state = configuration["Engine:StateDirectory"] ?? ".local/engine";
        try
        {
            switch (command)
            {
                case "train":
                {
                    var spam = MailEngine.Scanner.SpamCorpus.Read(spamDir!).ToList();
                    var ham = MailEngine.Scanner.SpamCorpus.Read(hamDir!).ToList();
                    var bayes = new MailEngine.Scanner.BayesClassifier(Path.Combine(state, "scanner", "bayes.model"));
                    var batch = spam.Select(m => (m, true)).Concat(ham.Select(m => (m, false))).AsParallel()
                        .Select(x => ((IReadOnlyCollection<string>)MailEngine.Scanner.BayesClassifier.Tokenize(MailEngine.Scanner.MessageAnalysis.Load(x.m.Content)), x.Item2))
                        .ToList();
                    bayes.Learn(batch);
                    await stdout.WriteLineAsync($"learned {spam.Count} spam and {ham.Count} ham; the model now holds {bayes.SpamMessages} spam, {bayes.HamMessages} ham, {bayes.TokenCount} tokens");
                    return 0;
                }

                case "eval":
                {
                    var threshold = Option(args, "--threshold") is { } t ? double.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : MailEngine.Contracts.SpamPolicy.Default.HeaderThreshold;
                    var spam = MailEngine.Scanner.SpamCorpus.Read(spamDir!).ToList();
                    var ham = MailEngine.Scanner.SpamCorpus.Read(hamDir!).ToList();
                    // A fresh model each time: the engine's state (its model, its forced tier) is not touched.
                    var tier = MailEngine.Scanner.ScannerTiers.Detect().Tier;
                    var rules = MailEngine.Scanner.RuleFile.Defaults;
                    var report = MailEngine.Scanner.SpamEvaluation.Run(spam, ham, MailEngine.Scanner.CompiledRules.Shared(rules, tier), MailEngine.Scanner.SpamScanner.ScoresOf(rules), threshold);
                    await stdout.WriteLineAsync($"trained on {report.TrainSpam} spam + {report.TrainHam} ham; held out {report.TestSpam} spam + {report.TestHam} ham; threshold {threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}; tier {tier}");
                    foreach (var metrics in report.Metrics) await stdout.WriteLineAsync(metrics.ToString());
                    return 0;
                }

                default:
                {
                    var scanner = new MailEngine.Scanner.SpamScanner(new MailEngine.Scanner.ScannerOptions(), state, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
                    var verdict = scanner.Evaluate(scanner.Scan(MailEngine.Scanner.MessageAnalysis.Load(File.ReadAllBytes(args[2]))), MailEngine.Contracts.SpamPolicy.Default);
                    await stdout.WriteAsync(verdict.HeaderLines().Replace("\r\n", "\n", StringComparison.Ordinal));
                    return 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
        {
            await stderr.WriteLineAsync($"adminctl: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> UsageErrorAsync(TextWriter stderr)
    {
        await stderr.WriteLineAsync(Usage);
        return 2;
    }

    private static async Task<int> MigrateAsync(IServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        var db = sp.GetRequiredService<AdminDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count == 0)
        {
            await stdout.WriteLineAsync("database is up to date");
            return 0;
        }

        await db.Database.MigrateAsync(ct);
        foreach (var migration in pending) await stdout.WriteLineAsync($"applied {migration}");
        return 0;
    }

    private static async Task<int> CreateAdminAsync(IServiceProvider sp, string email, string? role, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if ((role is null ? AdminRole.Administrator : AdminAccountService.ParseRole(role)) is not { } parsed)
        {
            await stderr.WriteLineAsync($"adminctl: --role must be administrator or read-only, not '{role}'");
            return 2;
        }

        var created = await sp.GetRequiredService<AdminAccountService>().CreateAsync(email, parsed, Actor, ct);
        await stdout.WriteLineAsync($"created admin {created.Account.Email} ({RoleName(created.Account.Role)})");
        await stdout.WriteLineAsync($"password: {created.Password}");
        return 0;
    }

    private static async Task<int> SetAdminRoleAsync(IServiceProvider sp, string email, string role, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (AdminAccountService.ParseRole(role) is not { } parsed)
        {
            await stderr.WriteLineAsync($"adminctl: the role is administrator or read-only, not '{role}'");
            return 2;
        }

        var account = await sp.GetRequiredService<AdminAccountService>().SetRoleAsync(email, parsed, Actor, ct);
        await stdout.WriteLineAsync($"{account.Email} is now {RoleName(account.Role)}; its sessions have ended");
        return 0;
    }

    private static async Task<int> RemoveAdminTwoFactorAsync(IServiceProvider sp, string email, TextWriter stdout, CancellationToken ct)
    {
        await sp.GetRequiredService<AdminAccountService>().RemoveTwoFactorAsync(email, Actor, ct);
        await stdout.WriteLineAsync($"{email}: second factor removed; it signs in with the password alone until it enrols again");
        return 0;
    }

    private static async Task<int> RemoveAdminAsync(IServiceProvider sp, string email, TextWriter stdout, CancellationToken ct)
    {
        await sp.GetRequiredService<AdminAccountService>().DeleteAsync(email, Actor, ct);
        await stdout.WriteLineAsync($"removed admin {email}");
        return 0;
    }

    private static async Task<int> ResetAdminPasswordAsync(IServiceProvider sp, string email, TextWriter stdout, CancellationToken ct)
    {
        var password = await sp.GetRequiredService<AdminAccountService>().ResetPasswordAsync(email, Actor, ct);
        await stdout.WriteLineAsync($"password: {password}");
        return 0;
    }

    private static async Task<int> UnlockAsync(IServiceProvider sp, string email, TextWriter stdout, CancellationToken ct)
    {
        var removed = await sp.GetRequiredService<SignInService>().UnlockAsync(email, Actor, null, ct);
        await stdout.WriteLineAsync(removed == 0 ? $"{email}: no sign-in failures recorded" : $"{email}: unlocked ({removed} failure records removed)");
        return 0;
    }

    private static async Task<int> ListAdminsAsync(IServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        var db = sp.GetRequiredService<AdminDbContext>();
        foreach (var a in await db.AdminAccounts.OrderBy(a => a.Email).ToListAsync(ct))
            await stdout.WriteLineAsync($"{a.Email}\t{RoleName(a.Role)}\t{(a.Disabled ? "disabled" : "enabled")}\tlast sign-in {a.LastSignInAt?.ToString("u") ?? "never"}");
        return 0;
    }

    private static async Task<int> CreateTokenAsync(IServiceProvider sp, string name, string? scope, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ApiTokenScope parsed;
        switch (scope)
        {
            case null or "read-write": parsed = ApiTokenScope.ReadWrite; break;
            case "read": parsed = ApiTokenScope.Read; break;
            default:
                await stderr.WriteLineAsync($"adminctl: --scope must be read or read-write, not '{scope}'");
                return 2;
        }

        var created = await sp.GetRequiredService<ApiTokenService>().CreateAsync(name, parsed, Actor, ct);
        await stdout.WriteLineAsync($"created token {created.Token.Name} ({ScopeName(created.Token.Scope)}); it is shown only now:");
        await stdout.WriteLineAsync(created.Plaintext);
        return 0;
    }

    private static async Task<int> ListTokensAsync(IServiceProvider sp, TextWriter stdout, CancellationToken ct)
    {
        var db = sp.GetRequiredService<AdminDbContext>();
        foreach (var t in await db.ApiTokens.OrderBy(t => t.Name).ThenBy(t => t.CreatedAt).ToListAsync(ct))
            await stdout.WriteLineAsync($"{t.Name}\t{ScopeName(t.Scope)}\tact_{t.KeyId}_…\t{(t.RevokedAt is null ? "active" : "revoked")}\tlast used {t.LastUsedAt?.ToString("u") ?? "never"}");
        return 0;
    }

    private static async Task<int> RevokeTokenAsync(IServiceProvider sp, string name, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var db = sp.GetRequiredService<AdminDbContext>();
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Name == name && t.RevokedAt == null, ct);
        if (token is null)
        {
            await stderr.WriteLineAsync($"adminctl: no active token named '{name}'");
            return 1;
        }

        await sp.GetRequiredService<ApiTokenService>().RevokeAsync(token.Id, Actor, ct);
        await stdout.WriteLineAsync($"revoked token {name}");
        return 0;
    }

    private static string RoleName(AdminRole role) => AdminAccountService.Role(role);

    private static string ScopeName(ApiTokenScope scope) => scope == ApiTokenScope.ReadWrite ? "read-write" : "read";
}
