using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Mailboxes;
using MailEngine.Addressing;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Vacation;

/// <summary>What a client sends to set a vacation reply; the whole rule is replaced.</summary>
public sealed record VacationSettings(bool Enabled, string? Subject, string? Body, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt,
    int? ReplyIntervalDays, IReadOnlyList<string>? ExtraAddresses);

/// <summary>A mailbox's vacation rule as read: a mailbox without one reads as "off" with the defaults.</summary>
public sealed record VacationView(string Address, bool Enabled, string Subject, string Body, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt,
    int ReplyIntervalDays, IReadOnlyList<string> ExtraAddresses, string? UpdatedBy, DateTimeOffset? UpdatedAt, string SieveScript)
{
    public string? Version => UpdatedAt is { } at ? EntityVersion.Of(at) : null;
}

/// <summary>
/// Reading and setting vacation replies, by an admin for any mailbox or by the user for their own.
/// Every rule is checked before anything is written; each change is audited with who made it, and
/// the rule records that person so the user sees who set it.
/// </summary>
public sealed class VacationService(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public const int MaxSubjectLength = 200;
    public const int MaxBodyLength = 10_000;
    public const int MaxExtraAddresses = 20;

    public async Task<VacationView> GetAsync(string address, CancellationToken ct = default)
    {
        var mailbox = await LoadAsync(address, ct);
        return View(mailbox.Address, mailbox.Vacation);
    }

    public async Task<VacationView> SetAsync(string address, VacationSettings settings, string? expectedVersion, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var mailbox = await LoadAsync(address, ct);
        var rule = mailbox.Vacation;
        if (rule is not null) EntityVersion.Check(expectedVersion, rule.UpdatedAt, $"The vacation reply of {mailbox.Address}");
        else if (expectedVersion is not null) throw new DomainVersionMismatchException($"The vacation reply of {mailbox.Address} was removed; read it again.");

        var errors = new ValidationErrors();
        var subject = (settings.Subject ?? string.Empty).Trim();
        var body = settings.Body ?? string.Empty;
        if (subject.Length > MaxSubjectLength) errors.Add("subject", $"A subject is at most {MaxSubjectLength} characters.");
        else if (subject.Any(char.IsControl)) errors.Add("subject", "A subject is one line without control characters.");
        if (body.Length > MaxBodyLength) errors.Add("body", $"The reply is at most {MaxBodyLength} characters.");
        if (settings.Enabled && body.Trim().Length == 0) errors.Add("body", "Write the reply that senders get.");
        var interval = settings.ReplyIntervalDays ?? VacationRule.DefaultReplyIntervalDays;
        if (interval is < 1 or > 365) errors.Add("replyIntervalDays", "The reply interval is between 1 and 365 days (RFC 5230 :days).");
        if (settings.StartsAt is { } s && settings.EndsAt is { } e && e <= s) errors.Add("endsAt", "The end must be after the start.");
        var extra = new List<string>();
        var given = settings.ExtraAddresses ?? [];
        if (given.Count > MaxExtraAddresses) errors.Add("extraAddresses", $"At most {MaxExtraAddresses} extra addresses.");
        foreach (var candidate in given.Take(MaxExtraAddresses))
        {
            if (!EmailAddress.TryParse(candidate, out var parsed, out var error)) errors.Add("extraAddresses", $"{candidate}: {error}");
            else if (parsed.ToString() != mailbox.Address && !extra.Contains(parsed.ToString())) extra.Add(parsed.ToString());
        }

        errors.ThrowIfAny();

        var before = rule is null ? null : Describe(rule);
        if (rule is null)
        {
            rule = new VacationRule { MailboxId = mailbox.Id };
            db.VacationRules.Add(rule);
        }

        rule.Enabled = settings.Enabled;
        rule.Subject = subject;
        rule.Body = body.ReplaceLineEndings("\n");
        rule.StartsAt = settings.StartsAt?.ToUniversalTime();
        rule.EndsAt = settings.EndsAt?.ToUniversalTime();
        rule.ReplyIntervalDays = interval;
        rule.ExtraAddresses = extra;
        rule.UpdatedBy = actor;
        rule.UpdatedAt = EntityVersion.Now(clock);
        audit.Record(actor, "vacation.set", $"mailbox:{mailbox.Address}", new { before, after = Describe(rule) }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(mailbox.Address, rule);
    }

    public async Task RemoveAsync(string address, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var mailbox = await LoadAsync(address, ct);
        if (mailbox.Vacation is not { } rule) return;
        db.VacationRules.Remove(rule);
        audit.Record(actor, "vacation.removed", $"mailbox:{mailbox.Address}", new { before = Describe(rule) }, remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>What the sender would get: the subject (or RFC 5230 4.4's default) and the body.</summary>
    public static (string Subject, string Body) Preview(string subject, string body, string originalSubject) =>
        (subject.Trim().Length > 0 ? subject.Trim() : $"Auto: {originalSubject}", body.ReplaceLineEndings("\n"));

    private async Task<Mailboxes.Mailbox> LoadAsync(string address, CancellationToken ct) =>
        await db.Mailboxes.Include(m => m.Vacation).WithAddress(address).SingleOrDefaultAsync(ct) ?? throw new DomainNotFoundException($"No mailbox {address}.");

    /// <summary>The rule as read; a mailbox without one reads as an unsaved, disabled rule with the defaults.</summary>
    private static VacationView View(string address, VacationRule? saved)
    {
        var rule = saved ?? new VacationRule();
        return new VacationView(address, rule.Enabled, rule.Subject, rule.Body, rule.StartsAt, rule.EndsAt, rule.ReplyIntervalDays,
            rule.ExtraAddresses, saved?.UpdatedBy, saved?.UpdatedAt, VacationSieveScript.Compile(rule, address));
    }

    private static object Describe(VacationRule r) => new { r.Enabled, r.Subject, r.Body, r.StartsAt, r.EndsAt, r.ReplyIntervalDays, r.ExtraAddresses };
}
