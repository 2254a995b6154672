using AdminConsole.Core.Domains;
using AdminConsole.Core.Mailboxes;
using MailEngine.Auth;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Testing;

/// <param name="Password">Hashed for the mailbox; null: a valid hash of no password anyone knows (no hashing cost).</param>
/// <param name="PasswordHash">A ready hash instead of <paramref name="Password"/>.</param>
public sealed record MailboxSeed(string LocalPart, string? Password = null, string DisplayName = "", bool Enabled = true,
    long QuotaBytes = MailDomain.DefaultMailboxQuotaBytes, DateTimeOffset? CreatedAt = null, string? PasswordHash = null);

/// <summary>Directory rows written straight into a test database, for tests about something else than creating them.</summary>
public static class DirectorySeed
{
    /// <summary>Adds the domain unless it exists, and the mailboxes in it.</summary>
    public static async Task SeedAsync(this TestDatabase database, string domainName, params MailboxSeed[] mailboxes)
    {
        await using var db = database.CreateContext();
        var now = DateTimeOffset.UtcNow;
        var domain = await db.Domains.SingleOrDefaultAsync(d => d.Name == domainName);
        if (domain is null)
        {
            domain = new MailDomain { Name = domainName, CreatedAt = now, UpdatedAt = now };
            db.Domains.Add(domain);
        }

        foreach (var m in mailboxes)
        {
            db.Mailboxes.Add(new Mailbox
            {
                Domain = domain, LocalPart = m.LocalPart, Address = $"{m.LocalPart}@{domainName}", DisplayName = m.DisplayName, Enabled = m.Enabled,
                PasswordHash = m.PasswordHash ?? (m.Password is null ? MailPasswordHasher.TimingDummyHash : MailPasswordHasher.Hash(m.Password)),
                QuotaBytes = m.QuotaBytes, CreatedAt = m.CreatedAt ?? now, UpdatedAt = now,
            });
        }

        await db.SaveChangesAsync();
    }
}
