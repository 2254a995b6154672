using System.Globalization;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Dns;
using AdminConsole.Core.Domains;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Dkim;

/// <summary>Where a domain's key rotation is.</summary>
public enum DkimRotationStep
{
    /// <summary>Only signing keys (and perhaps retired ones whose records are gone): nothing to do.</summary>
    Idle,

    /// <summary>New keys are made; their records must be on every authoritative server before they sign.</summary>
    Publishing,

    /// <summary>The new keys sign; the replaced ones stay published until the grace period is over.</summary>
    Grace,

    /// <summary>The replaced keys are retired; their records must be deleted.</summary>
    Removing,
}

/// <param name="Next">What to do next, and when, in words for the DNS page.</param>
/// <param name="Due">When the next step happens by itself (the end of the grace period, the next scheduled rotation).</param>
/// <param name="EveryMonths">The automatic schedule; null: rotations only when an admin starts one.</param>
/// <param name="Publishes">Whether records are published by RFC 2136 (else the admin publishes and deletes them).</param>
public sealed record DkimRotationStatus(string Domain, DkimRotationStep Step, string Next, DateTimeOffset? Due, int? EveryMonths, bool Publishes);

/// <param name="Done">What this call changed, in words (empty: nothing could move yet, <see cref="DkimRotationStatus.Next"/> says why).</param>
public sealed record DkimRotationResult(DkimRotationStatus Status, IReadOnlyList<string> Done);

/// <summary>
/// Rotates a domain's DKIM keys without a signature that fails to verify (issue #15 item 8): the next
/// key pair is made and its record shown or published (Pending); only when the live check finds it on
/// every authoritative server does signing switch (Active), the replaced key's record staying for the
/// grace period (Retiring) so mail in flight still verifies; then it is retired and its record deleted
/// (Retired), and the key itself is destroyed once no name server has the record. Each step is audited.
/// The same steps run by hand (the DNS page, the API, adminctl) or from <see cref="DkimRotationJob"/>.
/// </summary>
public sealed class DkimRotation(AdminDbContext db, DkimKeyService keys, DnsRecordService records, DnsPublisher publisher, AuditLog audit, IOptions<DkimOptions> options, TimeProvider clock)
{
    public const int MaxEveryMonths = 24;

    public async Task<DkimRotationStatus> StatusAsync(string name, CancellationToken ct = default)
    {
        var domain = await db.DomainAsync(name, ct);
        return Status(domain, await KeysAsync(domain, ct), await publisher.GetAsync(domain.Name, ct) is not null);
    }

    /// <summary>Makes the next key of each algorithm that signs now, and publishes their records when RFC 2136 is set up.</summary>
    public async Task<DkimRotationResult> StartAsync(string name, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var domain = await db.DomainAsync(name, ct);
        var all = await KeysAsync(domain, ct);
        if (all.Any(k => k.State is DkimKeyState.Pending or DkimKeyState.Retiring))
            throw new DomainConflictException("rotation", $"A key rotation of {domain.Name} is under way ({Step(all)}); it must finish before the next one starts.");
        var signing = all.Where(k => k.State == DkimKeyState.Active).ToList();
        if (signing.Count == 0)
            throw new DomainValidationException("rotation", $"{domain.Name} has no signing key to rotate: make its keys first (adminctl dkim ensure).");

        var made = new List<DkimKey>();
        foreach (var algorithm in signing.Select(k => k.Algorithm).Distinct().Order())
            made.Add(keys.NewKey(domain, algorithm, all.Concat(made).Select(k => k.Selector)));
        db.DkimKeys.AddRange(made);
        audit.Record(actor, "dkim.rotation-started", $"domain:{domain.Name}", new { selectors = made.Select(k => k.Selector), replacing = signing.Select(k => k.Selector) }, remoteAddress);
        await db.SaveChangesAsync(ct);

        var done = new List<string> { $"Made the next keys {Selectors(made)}." };
        var publishes = await publisher.GetAsync(domain.Name, ct) is not null;
        if (publishes) await PublishAsync(domain.Name, actor, remoteAddress, done, ct);

        return new DkimRotationResult(Status(domain, await KeysAsync(domain, ct), publishes), done);
    }

    /// <summary>
    /// Takes every step that is due: retires keys past their grace period, publishes (RFC 2136) or checks
    /// the records, switches signing to the new keys once every authoritative server has them, and
    /// destroys retired keys once no server has their record.
    /// </summary>
    public async Task<DkimRotationResult> AdvanceAsync(string name, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var domain = await db.DomainAsync(name, ct);
        var all = await KeysAsync(domain, ct);
        var now = clock.GetUtcNow();
        var done = new List<string>();

        var pastGrace = all.Where(k => k.State == DkimKeyState.Retiring && k.RetiringSince + options.Value.GracePeriod <= now).ToList();
        if (pastGrace.Count > 0)
        {
            foreach (var key in pastGrace) (key.State, key.RetiredAt) = (DkimKeyState.Retired, now);
            audit.Record(actor, "dkim.keys-retired", $"domain:{domain.Name}", new { selectors = pastGrace.Select(k => k.Selector) }, remoteAddress);
            await db.SaveChangesAsync(ct);
            done.Add($"Retired {Selectors(pastGrace)} after the grace period: delete their records.");
        }

        var publishes = await publisher.GetAsync(domain.Name, ct) is not null;
        if (all.Any(k => k.State is DkimKeyState.Pending or DkimKeyState.Retired))
        {
            var check = publishes ? await PublishAsync(domain.Name, actor, remoteAddress, done, ct) : await records.CheckAsync(domain.Name, ct);

            if (check.Error is null)
            {
                var pending = all.Where(k => k.State == DkimKeyState.Pending).ToList();
                if (pending.Count > 0 && pending.All(k => RecordStatus(check, domain.Name, k) == DnsLiveCheck.Match))
                {
                    var replaced = all.Where(k => k.State == DkimKeyState.Active && pending.Any(p => p.Algorithm == k.Algorithm)).ToList();
                    foreach (var key in replaced) (key.State, key.RetiringSince) = (DkimKeyState.Retiring, now);
                    foreach (var key in pending) (key.State, key.ActivatedAt) = (DkimKeyState.Active, now);
                    audit.Record(actor, "dkim.keys-activated", $"domain:{domain.Name}", new { selectors = pending.Select(k => k.Selector), replaced = replaced.Select(k => k.Selector) }, remoteAddress);
                    await db.SaveChangesAsync(ct);
                    done.Add($"Every name server has {Selectors(pending)}: signing switched to them; {Selectors(replaced)} stay published until {When(now + options.Value.GracePeriod)}.");
                }

                var gone = all.Where(k => k.State == DkimKeyState.Retired && RecordStatus(check, domain.Name, k) == DnsLiveCheck.Removed).ToList();
                if (gone.Count > 0)
                {
                    // The private keys go too: a retired key that nobody can verify against has no use left.
                    db.DkimKeys.RemoveRange(gone);
                    audit.Record(actor, "dkim.keys-removed", $"domain:{domain.Name}", new { selectors = gone.Select(k => k.Selector) }, remoteAddress);
                    await db.SaveChangesAsync(ct);
                    done.Add($"No name server has {Selectors(gone)} any more: the keys are destroyed.");
                }
            }
        }

        return new DkimRotationResult(Status(domain, await KeysAsync(domain, ct), publishes), done);
    }

    /// <summary>Publishes by RFC 2136, says what was sent, and returns the check that followed.</summary>
    private async Task<DnsCheckResult> PublishAsync(string domain, string actor, string? remoteAddress, List<string> done, CancellationToken ct)
    {
        var published = await publisher.PublishAsync(domain, actor, remoteAddress, ct);
        if (published.Added.Count + published.Replaced.Count > 0) done.Add($"Published {published.Added.Count + published.Replaced.Count} record(s) by RFC 2136.");
        if (published.Removed.Count > 0) done.Add($"Deleted {published.Removed.Count} record(s) by RFC 2136.");
        return published.Check;
    }

    /// <summary>Sets (or, with null, clears) the automatic schedule.</summary>
    public async Task<DkimRotationStatus> ScheduleAsync(string name, int? everyMonths, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        if (everyMonths is < 1 or > MaxEveryMonths)
            throw new DomainValidationException("everyMonths", $"Rotate every 1 to {MaxEveryMonths} months, or not automatically (empty).");
        var domain = await db.DomainAsync(name, ct);
        var before = domain.DkimRotationMonths;
        domain.DkimRotationMonths = everyMonths;
        audit.Record(actor, "dkim.rotation-scheduled", $"domain:{domain.Name}", new { before, after = everyMonths }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return Status(domain, await KeysAsync(domain, ct), await publisher.GetAsync(domain.Name, ct) is not null);
    }

    /// <summary>When a domain on a schedule rotates next: its signing keys' age plus the interval (null: not scheduled).</summary>
    public static DateTimeOffset? NextRotation(MailDomain domain, IEnumerable<DkimKey> keys) =>
        domain.DkimRotationMonths is { } months && keys.Where(k => k.State == DkimKeyState.Active).Select(k => k.ActivatedAt ?? k.CreatedAt).DefaultIfEmpty().Min() is { } since && since != default
            ? since.AddMonths(months)
            : null;

    private Task<List<DkimKey>> KeysAsync(MailDomain domain, CancellationToken ct) =>
        db.DkimKeys.Where(k => k.DomainId == domain.Id).OrderBy(k => k.CreatedAt).ThenBy(k => k.Algorithm).ToListAsync(ct);

    private static DkimRotationStep Step(IReadOnlyCollection<DkimKey> keys) =>
        keys.Any(k => k.State == DkimKeyState.Pending) ? DkimRotationStep.Publishing
        : keys.Any(k => k.State == DkimKeyState.Retiring) ? DkimRotationStep.Grace
        : keys.Any(k => k.State == DkimKeyState.Retired) ? DkimRotationStep.Removing
        : DkimRotationStep.Idle;

    private DkimRotationStatus Status(MailDomain domain, IReadOnlyCollection<DkimKey> all, bool publishes)
    {
        var step = Step(all);
        string Of(DkimKeyState state) => Selectors(all.Where(k => k.State == state));
        var (next, due) = step switch
        {
            DkimRotationStep.Publishing => (publishes
                ? $"The next keys {Of(DkimKeyState.Pending)} are published by RFC 2136. Signing switches to them once every authoritative name server has their records: checked hourly, or Continue now."
                : $"Publish the TXT records of {Of(DkimKeyState.Pending)} (marked “next in a rotation”) at the domain's DNS provider. Signing switches to them once every authoritative name server has them: checked hourly, or Continue now.",
                (DateTimeOffset?)null),
            DkimRotationStep.Grace => ($"Signing with {Of(DkimKeyState.Active)}. The replaced keys {Of(DkimKeyState.Retiring)} stay published until {When(GraceEnd(all))}, so mail signed with them still verifies; then they are retired.",
                GraceEnd(all)),
            DkimRotationStep.Removing => (publishes
                ? $"{Of(DkimKeyState.Retired)} are retired: their records are deleted by RFC 2136, and the keys destroyed once no name server has them."
                : $"{Of(DkimKeyState.Retired)} are retired: delete their TXT records (marked “delete”) at the domain's DNS provider. The keys are destroyed once no name server has them.",
                null),
            _ => NextRotation(domain, all) is { } at
                ? ($"Rotates automatically every {domain.DkimRotationMonths} month(s); next on {When(at)}.", at)
                : ("Keys rotate when you start a rotation (or set a schedule).", null),
        };
        return new DkimRotationStatus(domain.Name, step, next, due, domain.DkimRotationMonths, publishes);
    }

    private DateTimeOffset GraceEnd(IEnumerable<DkimKey> all) =>
        all.Where(k => k.State == DkimKeyState.Retiring).Min(k => k.RetiringSince ?? clock.GetUtcNow()) + options.Value.GracePeriod;

    /// <summary>The live check's verdict on a key's record (only a check of the same value counts).</summary>
    private static string? RecordStatus(DnsCheckResult check, string domain, DkimKey key)
    {
        var view = DkimKeyService.View(key, domain);
        return check.Records.FirstOrDefault(r => r.Name == view.RecordName && r.Type == "TXT" && r.Expected == view.RecordValue)?.Status;
    }

    private static string Selectors(IEnumerable<DkimKey> keys) => string.Join(", ", keys.Select(k => k.Selector));

    private static string When(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
