using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using MailEngine.Addressing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Alerts;

/// <summary>The channels alerts go to, the silences, and acknowledging: validated, audited, the webhook URL sealed.</summary>
public sealed class AlertChannelService(AdminDbContext db, AuditLog audit, IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan LongestSilence = TimeSpan.FromDays(90);

    private readonly IDataProtector _urls = protection.CreateProtector(AlertNotifier.UrlPurpose);

    /// <param name="Url">For a webhook: the URL (a secret; never returned).</param>
    public sealed record ChannelChanges(string? Name, string? Kind, IReadOnlyList<string>? Recipients, string? Url, string? Format, string? MinSeverity, IReadOnlyList<string>? Rules);

    /// <param name="UrlHost">For a webhook: where it posts (scheme and host), never the URL.</param>
    public sealed record ChannelView(Guid Id, string Name, string Kind, IReadOnlyList<string> Recipients, string? UrlHost, string Format, string MinSeverity, IReadOnlyList<string> Rules, bool Enabled, DateTimeOffset CreatedAt);

    public sealed record SilenceRequest(string? Rule, string? SubjectContains, DateTimeOffset? Until, string? Reason);

    public sealed record SilenceView(Guid Id, string? Rule, string? SubjectContains, DateTimeOffset Until, string Reason, string CreatedBy, DateTimeOffset CreatedAt, bool Active);

    public sealed record NotificationView(DateTimeOffset At, string Channel, string Rule, string Subject, string Kind, string? Error);

    public async Task<IReadOnlyList<ChannelView>> ChannelsAsync(CancellationToken ct) =>
        [.. (await db.AlertChannels.AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct)).Select(View)];

    public async Task<ChannelView> CreateChannelAsync(ChannelChanges changes, string actor, string? remoteAddress, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var name = changes.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100) errors.Add("name", "Give the channel a name of up to 100 characters.");
        else if (await db.AlertChannels.AnyAsync(c => c.Name == name, ct)) errors.Add("name", $"There is a channel named {name} already.");
        var kind = Parse<AlertChannelKind>(changes.Kind, "kind", "email or webhook", errors) ?? AlertChannelKind.Email;
        var channel = new AlertChannel
        {
            Id = Guid.NewGuid(), Name = name, Kind = kind, CreatedAt = clock.GetUtcNow(),
            Format = changes.Format is null ? WebhookFormat.Json : Parse<WebhookFormat>(changes.Format, "format", "json, slack or matrix", errors) ?? WebhookFormat.Json,
            MinSeverity = changes.MinSeverity is null ? AlertSeverity.Warning : Parse<AlertSeverity>(changes.MinSeverity, "minSeverity", "warning or critical", errors) ?? AlertSeverity.Warning,
        };
        foreach (var rule in changes.Rules ?? [])
        {
            if (AlertRules.Find(rule) is null) errors.Add("rules", $"There is no rule {rule}: {string.Join(", ", AlertRules.All.Select(r => r.Id))}.");
            else if (!channel.Rules.Contains(rule)) channel.Rules.Add(rule);
        }

        if (kind == AlertChannelKind.Email)
        {
            if (changes.Recipients is not { Count: > 0 }) errors.Add("recipients", "Give at least one address to send alerts to.");
            foreach (var r in changes.Recipients ?? [])
            {
                if (EmailAddress.TryParse(r?.Trim(), out var address, out var why)) channel.Recipients.Add(address.ToString());
                else errors.Add("recipients", $"{r}: {why}");
            }

            if (changes.Url is { Length: > 0 }) errors.Add("url", "An e-mail channel has no URL.");
        }
        else
        {
            if (!Uri.TryCreate(changes.Url?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || url.Host.Length == 0)
                errors.Add("url", "Give the webhook's full http:// or https:// URL.");
            else
            {
                channel.SealedUrl = _urls.Protect(System.Text.Encoding.UTF8.GetBytes(url.AbsoluteUri));
                channel.UrlHost = url.GetLeftPart(UriPartial.Authority);
            }

            if (changes.Recipients is { Count: > 0 }) errors.Add("recipients", "A webhook channel has no recipients.");
        }

        errors.ThrowIfAny();
        db.AlertChannels.Add(channel);
        // The URL stays out of the audit log: only where it posts.
        audit.Record(actor, "alert-channel.create", name, new { kind = channel.Kind.ToString().ToLowerInvariant(), channel.Recipients, channel.UrlHost, format = channel.Format.ToString().ToLowerInvariant(), minSeverity = channel.MinSeverity.ToString().ToLowerInvariant(), channel.Rules }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(channel);
    }

    public async Task DeleteChannelAsync(string name, string actor, string? remoteAddress, CancellationToken ct)
    {
        var channel = await db.AlertChannels.SingleOrDefaultAsync(c => c.Name == name, ct) ?? throw new DomainNotFoundException($"There is no alert channel named {name}.");
        db.AlertChannels.Remove(channel);
        audit.Record(actor, "alert-channel.delete", name, null, remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<SilenceView>> SilencesAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var silences = await db.AlertSilences.AsNoTracking().Where(s => s.Until > now.AddDays(-7)).OrderByDescending(s => s.Until).ToListAsync(ct);
        return [.. silences.Select(s => View(s, now))];
    }

    public async Task<SilenceView> SilenceAsync(SilenceRequest request, string actor, string? remoteAddress, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = new ValidationErrors();
        var rule = string.IsNullOrWhiteSpace(request.Rule) ? null : request.Rule.Trim();
        if (rule is not null && AlertRules.Find(rule) is null) errors.Add("rule", $"There is no rule {rule}.");
        if (request.Until is not { } until || until <= now) errors.Add("until", "The silence must end in the future.");
        else if (until - now > LongestSilence) errors.Add("until", $"A silence lasts at most {LongestSilence.TotalDays:0} days; make a new one then.");
        if (string.IsNullOrWhiteSpace(request.Reason)) errors.Add("reason", "Say why, for whoever sees the alert next.");
        errors.ThrowIfAny();
        var silence = new AlertSilence
        {
            Id = Guid.NewGuid(), RuleId = rule, SubjectContains = string.IsNullOrWhiteSpace(request.SubjectContains) ? null : request.SubjectContains.Trim(),
            Until = request.Until!.Value, Reason = request.Reason!.Trim(), CreatedBy = actor, CreatedAt = now,
        };
        db.AlertSilences.Add(silence);
        audit.Record(actor, "alert.silence", rule ?? "every rule", new { silence.SubjectContains, silence.Until, silence.Reason }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(silence, now);
    }

    public async Task EndSilenceAsync(Guid id, string actor, string? remoteAddress, CancellationToken ct)
    {
        var silence = await db.AlertSilences.SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw new DomainNotFoundException("There is no such silence.");
        var now = clock.GetUtcNow();
        if (silence.Until > now) silence.Until = now;
        audit.Record(actor, "alert.silence-end", silence.RuleId ?? "every rule", new { silence.SubjectContains }, remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Someone takes the alert on: shown on the page, and no repeats until it resolves.</summary>
    public async Task AcknowledgeAsync(string rule, string subject, string actor, string? remoteAddress, CancellationToken ct)
    {
        var state = await db.AlertStates.SingleOrDefaultAsync(s => s.RuleId == rule && s.Subject == subject && s.Status == AlertStatus.Firing, ct)
            ?? throw new DomainNotFoundException($"No alert {rule} for {subject} is firing.");
        state.AcknowledgedBy = actor;
        state.AcknowledgedAt = clock.GetUtcNow();
        audit.Record(actor, "alert.acknowledge", $"{rule} {subject}", null, remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<NotificationView>> NotificationsAsync(int limit, CancellationToken ct) =>
        [.. (await db.AlertNotifications.AsNoTracking().OrderByDescending(n => n.At).Take(Math.Clamp(limit, 1, 500)).ToListAsync(ct))
            .Select(n => new NotificationView(n.At, n.Channel, n.RuleId, n.Subject, n.Kind, n.Error))];

    private static T? Parse<T>(string? value, string field, string allowed, ValidationErrors errors) where T : struct, Enum
    {
        if (Enum.TryParse<T>(value?.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _)) return parsed;
        errors.Add(field, $"Choose {allowed}.");
        return null;
    }

    private static string Lower<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();

    private static ChannelView View(AlertChannel c) =>
        new(c.Id, c.Name, Lower(c.Kind), c.Recipients, c.UrlHost, Lower(c.Format), Lower(c.MinSeverity), c.Rules, c.Enabled, c.CreatedAt);

    private static SilenceView View(AlertSilence s, DateTimeOffset now) =>
        new(s.Id, s.RuleId, s.SubjectContains, s.Until, s.Reason, s.CreatedBy, s.CreatedAt, s.Until > now);
}
