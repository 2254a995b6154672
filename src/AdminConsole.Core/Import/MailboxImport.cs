using System.Globalization;
using AdminConsole.Core.Audit;
using AdminConsole.Core.Data;
using AdminConsole.Core.Domains;
using AdminConsole.Core.Mailboxes;
using AdminConsole.Core.Security;
using MailEngine.Addressing;
using MailEngine.Auth;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Core.Import;

/// <summary>
/// Bulk creation of mailboxes from CSV with the columns address, displayName, quota, password (a header
/// row names them, in any order; quota in bytes or with a unit such as 5GiB/500MiB; an empty password
/// is generated). A dry run reports every row's errors; the import itself checks the same way and
/// writes all rows in one transaction or none.
/// </summary>
public sealed class MailboxImport(AdminDbContext db, AuditLog audit, TimeProvider clock)
{
    public const int MaxRows = 50_000;
    public const int MaxBytes = 10 * 1024 * 1024;

    public sealed record Row(int Line, string Address, string DisplayName, long? QuotaBytes, string? Password);

    public sealed record RowError(int Line, string Field, string Message);

    /// <param name="RowCount">The data rows in the file (the header not counted), valid or not.</param>
    public sealed record Plan(int RowCount, IReadOnlyList<Row> Rows, IReadOnlyList<RowError> Errors);

    public sealed record Imported(string Address, string? GeneratedPassword);

    private static readonly Dictionary<string, string> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["address"] = "address", ["email"] = "address", ["displayname"] = "displayName", ["display name"] = "displayName",
        ["display_name"] = "displayName", ["name"] = "displayName", ["quota"] = "quota", ["quotabytes"] = "quota", ["password"] = "password",
    };

    /// <summary>Checks every row against the rules and the directory; writes nothing.</summary>
    public async Task<Plan> CheckAsync(string csv, CancellationToken ct = default)
    {
        var errors = new List<RowError>();
        var rows = new List<Row>();
        if (csv.Length > MaxBytes) return new Plan(0, [], [new RowError(0, "file", $"The file is larger than {MaxBytes / 1024 / 1024} MiB; split it.")]);
        IReadOnlyList<CsvParser.Record> records;
        try
        {
            records = CsvParser.Parse(csv);
        }
        catch (FormatException e)
        {
            return new Plan(0, [], [new RowError(0, "file", e.Message)]);
        }

        if (records.Count == 0) return new Plan(0, [], [new RowError(0, "file", "The file is empty.")]);
        var header = records[0].Fields.Select(f => Columns.GetValueOrDefault(f.Trim())).ToList();
        var unknown = records[0].Fields.Where(f => !Columns.ContainsKey(f.Trim())).ToList();
        if (unknown.Count > 0 || !header.Contains("address"))
            return new Plan(0, [], [new RowError(1, "header", $"The first line names the columns: address, displayName, quota, password (address is required){(unknown.Count > 0 ? $"; unknown: {string.Join(", ", unknown)}" : "")}.")]);
        if (records.Count - 1 > MaxRows) return new Plan(records.Count - 1, [], [new RowError(0, "file", $"At most {MaxRows} rows per import.")]);

        var domains = await db.Domains.AsNoTracking().ToDictionaryAsync(d => d.Name, d => d.DefaultQuotaBytes, ct);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var record in records.Skip(1))
        {
            string Field(string name) => header.IndexOf(name) is var i and >= 0 && i < record.Fields.Count ? record.Fields[i] : string.Empty;
            var rowErrors = errors.Count;
            if (record.Fields.Count != header.Count) errors.Add(new RowError(record.Line, "row", $"{record.Fields.Count} fields, the header has {header.Count}."));

            var address = string.Empty;
            if (!EmailAddress.TryParse(Field("address"), out var parsed, out var error)) errors.Add(new RowError(record.Line, "address", error));
            else
            {
                address = parsed.ToString();
                if (!domains.ContainsKey(parsed.Domain)) errors.Add(new RowError(record.Line, "address", $"There is no domain {parsed.Domain} here."));
                if (seen.TryGetValue(address, out var first)) errors.Add(new RowError(record.Line, "address", $"{address} is also on line {first}."));
                else seen[address] = record.Line;
            }

            var displayName = Field("displayName").Trim();
            if (displayName.Length > MailboxService.MaxDisplayNameLength) errors.Add(new RowError(record.Line, "displayName", $"At most {MailboxService.MaxDisplayNameLength} characters."));
            else if (displayName.Any(char.IsControl)) errors.Add(new RowError(record.Line, "displayName", "No control characters."));

            long? quota = null;
            var quotaText = Field("quota").Trim();
            if (quotaText.Length > 0)
            {
                if (ParseSize(quotaText) is not { } q) errors.Add(new RowError(record.Line, "quota", $"'{quotaText}' is not a size (bytes, or a number with KiB/MiB/GiB/TiB)."));
                else if (q is < DomainService.MinQuotaBytes or > DomainService.MaxQuotaBytes) errors.Add(new RowError(record.Line, "quota", "A quota is between 1 MiB and 1 PiB."));
                else quota = q;
            }

            var password = Field("password");
            if (password.Length > 0 && PasswordPolicy.Check(password, address) is { } weak) errors.Add(new RowError(record.Line, "password", weak));
            if (errors.Count == rowErrors) rows.Add(new Row(record.Line, address, displayName, quota, password.Length > 0 ? password : null));
        }

        // One round trip for the whole file: which of its addresses are taken already.
        var addresses = seen.Keys.ToList();
        var taken = await db.Mailboxes.Where(m => addresses.Contains(m.Address)).Select(m => m.Address)
            .Concat(db.Groups.Where(g => addresses.Contains(g.Address)).Select(g => g.Address)).ToListAsync(ct);
        var takenSet = taken.ToHashSet(StringComparer.Ordinal);
        foreach (var address in takenSet) errors.Add(new RowError(seen[address], "address", $"{address} already exists."));
        rows.RemoveAll(r => takenSet.Contains(r.Address));

        errors.Sort((a, b) => a.Line.CompareTo(b.Line));
        return new Plan(records.Count - 1, rows, errors);
    }

    /// <summary>
    /// Creates every mailbox in the file, or none: a file with any error is refused as a whole with the
    /// errors by line. <paramref name="progress"/> gets the number of rows done so far.
    /// </summary>
    public async Task<IReadOnlyList<Imported>> ImportAsync(string csv, string actor, string? remoteAddress, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        var plan = await CheckAsync(csv, ct);
        if (plan.Errors.Count > 0)
            throw new DomainValidationException(plan.Errors.GroupBy(e => e.Line == 0 ? e.Field : $"line {e.Line}")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Line == 0 ? e.Message : $"{e.Field}: {e.Message}").ToArray()));
        if (plan.Rows.Count == 0) throw new DomainValidationException("file", "The file has no mailboxes.");

        var domains = await db.Domains.AsNoTracking().ToDictionaryAsync(d => d.Name, ct);
        var passwords = plan.Rows.Select(r => r.Password ?? PasswordGenerator.Generate()).ToArray();
        var hashes = new string[plan.Rows.Count];
        var done = 0;
        // The password hash (Argon2id, 64 MiB) is the slow part; it runs on every core.
        await Parallel.ForEachAsync(Enumerable.Range(0, plan.Rows.Count), new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount }, (i, _) =>
        {
            hashes[i] = MailPasswordHasher.Hash(passwords[i]);
            progress?.Report(Interlocked.Increment(ref done));
            return ValueTask.CompletedTask;
        });

        var now = EntityVersion.Now(clock);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var result = new List<Imported>(plan.Rows.Count);
        for (var i = 0; i < plan.Rows.Count; i++)
        {
            var row = plan.Rows[i];
            var at = row.Address.LastIndexOf('@');
            var domain = domains[row.Address[(at + 1)..]];
            var mailbox = new Mailbox
            {
                DomainId = domain.Id,
                LocalPart = row.Address[..at],
                Address = row.Address,
                DisplayName = row.DisplayName,
                PasswordHash = hashes[i],
                QuotaBytes = row.QuotaBytes ?? domain.DefaultQuotaBytes,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Mailboxes.Add(mailbox);
            audit.Record(actor, "mailbox.created", $"mailbox:{row.Address}",
                new { after = new { mailbox.Address, mailbox.DisplayName, mailbox.QuotaBytes, mailbox.Enabled }, imported = true, passwordGenerated = row.Password is null }, remoteAddress);
            result.Add(new Imported(row.Address, row.Password is null ? passwords[i] : null));
        }

        audit.Record(actor, "mailbox.import", null, new { rows = plan.Rows.Count }, remoteAddress);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>"1073741824", "5GiB", "500 MiB", "10G" (binary units; a bare G/M/K means GiB/MiB/KiB, as Dovecot reads them).</summary>
    public static long? ParseSize(string text)
    {
        var t = text.Trim().Replace(" ", "", StringComparison.Ordinal);
        var unit = 1L;
        foreach (var (suffix, factor) in new[] { ("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("T", 1L << 40), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10), ("B", 1L) })
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                unit = factor;
                t = t[..^suffix.Length];
                break;
            }
        }

        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0) return null;
        var bytes = value * unit;
        return bytes > long.MaxValue ? null : (long)Math.Round(bytes);
    }
}
