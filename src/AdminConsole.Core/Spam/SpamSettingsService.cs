using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Domains;
using MailEngine.Contracts;
using MailEngine.Scanner;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Spam;

/// <summary>One rule as a domain sees it: its default and its effective score and state.</summary>
public sealed record SpamRuleView(string Name, string Target, string Description, double DefaultScore, double Score, bool Enabled, bool Overridden, bool Locked);

/// <summary>A domain's spam settings and its rules.</summary>
public sealed record SpamSettingsView(string Domain, bool Enabled, double HeaderThreshold, double JunkThreshold, double RejectThreshold, IReadOnlyList<SpamRuleView> Rules);

/// <summary>The thresholds of a domain, as the console and the API change them.</summary>
public sealed record SpamThresholds(bool Enabled, double HeaderThreshold, double JunkThreshold, double RejectThreshold);

/// <summary>
/// A domain's spam settings (issue #7): whether its mail is scanned, the three thresholds (header,
/// Junk, reject at DATA) and per-rule overrides (off, or another score). Validation keeps the
/// thresholds in order and under GTUBE's score, so the test message is always refused; GTUBE itself
/// cannot be changed. Every change is audited and reaches the engine with the next snapshot.
/// </summary>
public sealed class SpamSettingsService(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public const double MinThreshold = -100;
    public const double MaxRuleScore = 100;

    /// <summary>Every symbol a domain may change: the shipped rules, the Bayes bands and the authentication results.</summary>
    public static IReadOnlyList<(string Name, string Target, string Description, double Score)> Catalog { get; } =
        RuleFile.Defaults.Select(r => (r.Name, r.Target, r.Description, r.Score))
            .Concat(BayesBand.All.Select(b => (b.Name, "bayes", b.Description, b.Score)))
            .Concat(AuthenticationSymbol.All.Select(a => (a.Name, AuthenticationSymbol.Target, a.Description, a.Score)))
            .ToList();

    private static readonly Dictionary<string, (string Name, string Target, string Description, double Score)> ByName = Catalog.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>The engine's policy for a domain (for the snapshot).</summary>
    public static SpamPolicy Policy(MailDomain domain, IEnumerable<SpamRuleOverride> overrides) => new()
    {
        Enabled = domain.SpamFilterEnabled,
        HeaderThreshold = domain.SpamHeaderThreshold,
        JunkThreshold = domain.SpamJunkThreshold,
        RejectThreshold = domain.SpamRejectThreshold,
        Overrides = overrides.ToDictionary(o => o.RuleName, o => new MailEngine.Contracts.SpamRuleOverride(o.Enabled, o.Score), StringComparer.Ordinal),
    };

    public async Task<SpamSettingsView> GetAsync(string domainName, CancellationToken ct = default)
    {
        var domain = await LoadAsync(domainName, ct);
        return View(domain);
    }

    public async Task<SpamSettingsView> SetThresholdsAsync(string domainName, SpamThresholds request, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var domain = await LoadAsync(domainName, ct);
        var errors = new ValidationErrors();
        Range("headerThreshold", request.HeaderThreshold);
        Range("junkThreshold", request.JunkThreshold);
        Range("rejectThreshold", request.RejectThreshold);
        if (request.JunkThreshold < request.HeaderThreshold) errors.Add("junkThreshold", "The Junk threshold cannot be below the header threshold.");
        if (request.RejectThreshold < request.JunkThreshold) errors.Add("rejectThreshold", "The reject threshold cannot be below the Junk threshold.");
        errors.ThrowIfAny();

        var before = new { domain.SpamFilterEnabled, domain.SpamHeaderThreshold, domain.SpamJunkThreshold, domain.SpamRejectThreshold };
        domain.SpamFilterEnabled = request.Enabled;
        domain.SpamHeaderThreshold = request.HeaderThreshold;
        domain.SpamJunkThreshold = request.JunkThreshold;
        domain.SpamRejectThreshold = request.RejectThreshold;
        domain.UpdatedAt = EntityVersion.Now(clock);
        audit.Record(actor, "spam.thresholds", $"domain:{domain.Name}", new { before, after = request }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(domain);

        void Range(string field, double value)
        {
            if (double.IsNaN(value) || value < MinThreshold || value > SpamPolicy.MaxThreshold)
                errors.Add(field, $"Must be between {MinThreshold} and {SpamPolicy.MaxThreshold} (GTUBE scores 1000 and must always be refused).");
        }
    }

    public async Task<SpamSettingsView> SetRuleAsync(string domainName, string ruleName, bool enabled, double? score, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var domain = await LoadAsync(domainName, ct);
        var rule = Rule(ruleName);
        var errors = new ValidationErrors();
        if (rule.Name == RuleFile.Gtube) errors.Add("rule", "GTUBE cannot be changed: the test message must always be refused.");
        if (score is { } s && (double.IsNaN(s) || Math.Abs(s) > MaxRuleScore)) errors.Add("score", $"Must be between -{MaxRuleScore} and {MaxRuleScore}.");
        errors.ThrowIfAny();

        var existing = domain.SpamRuleOverrides.FirstOrDefault(o => o.RuleName == rule.Name);
        var before = existing is null ? null : new { existing.Enabled, existing.Score };
        if (existing is null)
        {
            existing = new Spam.SpamRuleOverride { DomainId = domain.Id, RuleName = rule.Name };
            domain.SpamRuleOverrides.Add(existing); // added to the context by EF's change detection
        }

        existing.Enabled = enabled;
        existing.Score = score;
        existing.UpdatedBy = actor;
        existing.UpdatedAt = EntityVersion.Now(clock);
        audit.Record(actor, "spam.rule", $"domain:{domain.Name}", new { rule = rule.Name, before, after = new { enabled, score } }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(domain);
    }

    public async Task<SpamSettingsView> ResetRuleAsync(string domainName, string ruleName, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var domain = await LoadAsync(domainName, ct);
        var rule = Rule(ruleName);
        if (domain.SpamRuleOverrides.FirstOrDefault(o => o.RuleName == rule.Name) is { } existing)
        {
            db.SpamRuleOverrides.Remove(existing);
            domain.SpamRuleOverrides.Remove(existing);
            audit.Record(actor, "spam.rule.reset", $"domain:{domain.Name}", new { rule = rule.Name, before = new { existing.Enabled, existing.Score } }, remoteAddress);
            await db.SaveChangesAsync(ct);
        }

        return View(domain);
    }

    private static (string Name, string Target, string Description, double Score) Rule(string name) =>
        ByName.TryGetValue(name, out var rule) ? rule : throw new DomainNotFoundException($"There is no spam rule named {name}.");

    private async Task<MailDomain> LoadAsync(string domainName, CancellationToken ct)
    {
        var name = domainName.Trim().TrimEnd('.').ToLowerInvariant();
        return await db.Domains.Include(d => d.SpamRuleOverrides).FirstOrDefaultAsync(d => d.Name == name, ct)
            ?? throw new DomainNotFoundException($"There is no domain {domainName}.");
    }

    private static SpamSettingsView View(MailDomain domain)
    {
        var overrides = domain.SpamRuleOverrides.ToDictionary(o => o.RuleName, StringComparer.Ordinal);
        return new SpamSettingsView(domain.Name, domain.SpamFilterEnabled, domain.SpamHeaderThreshold, domain.SpamJunkThreshold, domain.SpamRejectThreshold,
            Catalog.Select(c => overrides.TryGetValue(c.Name, out var o)
                ? new SpamRuleView(c.Name, c.Target, c.Description, c.Score, o.Score ?? c.Score, o.Enabled, true, c.Name == RuleFile.Gtube)
                : new SpamRuleView(c.Name, c.Target, c.Description, c.Score, c.Score, true, false, c.Name == RuleFile.Gtube)).ToList());
    }
}
