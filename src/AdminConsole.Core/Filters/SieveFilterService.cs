using System.Text;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Mailboxes;
using MailEngine.Sieve;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Filters;

/// <summary>A mailbox's filter as read; without one, an empty script.</summary>
public sealed record SieveFilterView(string Address, string Script, string? UpdatedBy, DateTimeOffset? UpdatedAt)
{
    public string? Version => UpdatedAt is { } at ? EntityVersion.Of(at) : null;
}

/// <summary>What a test run of a script on a pasted message gives: the actions, or the errors (line:column).</summary>
public sealed record SieveTestResult(IReadOnlyList<string> Actions, IReadOnlyList<string> Errors);

/// <summary>
/// Reading, saving and trying a mailbox's Sieve filter. A script is compiled with the engine's own
/// parser before it is saved: one that does not compile is refused with each error's line and
/// column, and nothing changes. Saves are audited (the script's size, never its text in full).
/// </summary>
public sealed class SieveFilterService(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public async Task<SieveFilterView> GetAsync(string address, CancellationToken ct = default)
    {
        var (mailbox, filter) = await LoadAsync(address, ct);
        return View(mailbox.Address, filter);
    }

    public async Task<SieveFilterView> SetAsync(string address, string? script, string? expectedVersion, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var (mailbox, filter) = await LoadAsync(address, ct);
        if (filter is not null) EntityVersion.Check(expectedVersion, filter.UpdatedAt, $"The filter of {mailbox.Address}");
        else if (expectedVersion is not null) throw new DomainVersionMismatchException($"The filter of {mailbox.Address} was removed; read it again.");

        var text = (script ?? string.Empty).ReplaceLineEndings("\n");
        var errors = new ValidationErrors();
        foreach (var error in Check(text)) errors.Add("script", error);
        errors.ThrowIfAny();

        var before = filter is null ? null : new { bytes = Encoding.UTF8.GetByteCount(filter.Script) };
        if (filter is null)
        {
            filter = new SieveFilter { MailboxId = mailbox.Id };
            db.SieveFilters.Add(filter);
        }

        filter.Script = text;
        filter.UpdatedBy = actor;
        filter.UpdatedAt = EntityVersion.Now(clock);
        audit.Record(actor, "filter.set", $"mailbox:{mailbox.Address}", new { before, after = new { bytes = Encoding.UTF8.GetByteCount(text) } }, remoteAddress);
        await db.SaveChangesAsync(ct);
        return View(mailbox.Address, filter);
    }

    public async Task RemoveAsync(string address, string actor, string? remoteAddress, CancellationToken ct = default)
    {
        var (mailbox, filter) = await LoadAsync(address, ct);
        if (filter is null) return;
        db.SieveFilters.Remove(filter);
        audit.Record(actor, "filter.removed", $"mailbox:{mailbox.Address}", null, remoteAddress);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The errors of a script ("line:column: message"), none when it compiles.</summary>
    public static IReadOnlyList<string> Check(string script) =>
        SieveParser.Compile(script).Errors.Select(e => e.ToString()).ToList();

    /// <summary>
    /// Runs a script on a pasted message as delivery would (the address as recipient, no folders,
    /// no earlier vacation replies): the actions in adminctl sieve-test's form, or the errors. A from of
    /// "&lt;&gt;" is the null sender; a spam score (points) is what the scanner would have said.
    /// </summary>
    public static SieveTestResult Test(string address, string script, string message, string? from, string? to, DateTimeOffset now, double? spamScore = null)
    {
        var trial = SieveTrial.Run(script.ReplaceLineEndings("\n"), Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n")), from, to, address, now, spamScore);
        if (trial.Result is not { } result)
            return new SieveTestResult([], trial.MessageError is { } bad ? [$"message: {bad}"] : trial.CompileErrors.Select(e => e.ToString()).ToList());
        return new SieveTestResult(result.Actions.Select(a => a.Describe()).ToList(), result.Error is null ? [] : [result.Error]);
    }

    private async Task<(Mailbox Mailbox, SieveFilter? Filter)> LoadAsync(string address, CancellationToken ct)
    {
        var mailbox = await db.Mailboxes.WithAddress(address).SingleOrDefaultAsync(ct) ?? throw new DomainNotFoundException($"No mailbox {address}.");
        var filter = await db.SieveFilters.SingleOrDefaultAsync(f => f.MailboxId == mailbox.Id, ct);
        return (mailbox, filter);
    }

    private static SieveFilterView View(string address, SieveFilter? filter) => new(address, filter?.Script ?? string.Empty, filter?.UpdatedBy, filter?.UpdatedAt);
}
