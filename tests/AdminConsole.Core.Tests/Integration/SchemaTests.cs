using AdminConsole.Core.Domains;
using AdminConsole.Core.Groups;
using AdminConsole.Core.Jobs;
using AdminConsole.Core.Mailboxes;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace AdminConsole.Core.Tests.Integration;

/// <summary>The database holds the rules even against code that forgets them.</summary>
public sealed class SchemaTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static Mailbox NewMailbox(MailDomain domain, string local) => new()
    {
        Domain = domain, LocalPart = local, Address = $"{local}@{domain.Name}", PasswordHash = "{ARGON2ID}x",
        QuotaBytes = domain.DefaultQuotaBytes, CreatedAt = Now, UpdatedAt = Now,
    };

    [Fact]
    public async Task Two_mailboxes_cannot_have_the_same_address()
    {
        await using var db = database.CreateContext();
        var domain = new MailDomain { Name = "dup.example", CreatedAt = Now, UpdatedAt = Now };
        db.Mailboxes.Add(NewMailbox(domain, "same"));
        await db.SaveChangesAsync();

        await using var other = database.CreateContext();
        other.Mailboxes.Add(NewMailbox(await other.Domains.SingleAsync(d => d.Name == "dup.example"), "same"));
        var e = await Assert.ThrowsAsync<DbUpdateException>(() => other.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, ((PostgresException)e.InnerException!).SqlState);
    }

    [Fact]
    public async Task A_domain_name_must_be_stored_in_lower_case()
    {
        await using var db = database.CreateContext();
        db.Domains.Add(new MailDomain { Name = "Upper.Example", CreatedAt = Now, UpdatedAt = Now });
        var e = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.CheckViolation, ((PostgresException)e.InnerException!).SqlState);
    }

    [Fact]
    public async Task A_group_member_names_exactly_one_target()
    {
        await using var db = database.CreateContext();
        var domain = new MailDomain { Name = "groups.example", CreatedAt = Now, UpdatedAt = Now };
        var mailbox = NewMailbox(domain, "member");
        var group = new GroupAlias { Domain = domain, LocalPart = "team", Address = "team@groups.example", CreatedAt = Now, UpdatedAt = Now };
        group.Members.Add(new GroupMember { Kind = GroupMemberKind.Mailbox, Mailbox = mailbox, ExternalAddress = "x@elsewhere.example" });
        db.Groups.Add(group);
        var e = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.CheckViolation, ((PostgresException)e.InnerException!).SqlState);
    }

    [Fact]
    public async Task Deleting_a_mailbox_removes_it_from_its_groups()
    {
        Guid groupId;
        await using (var db = database.CreateContext())
        {
            var domain = new MailDomain { Name = "cascade.example", CreatedAt = Now, UpdatedAt = Now };
            var mailbox = NewMailbox(domain, "leaver");
            var group = new GroupAlias { Domain = domain, LocalPart = "all", Address = "all@cascade.example", CreatedAt = Now, UpdatedAt = Now };
            group.Members.Add(new GroupMember { Kind = GroupMemberKind.Mailbox, Mailbox = mailbox });
            group.Members.Add(new GroupMember { Kind = GroupMemberKind.External, ExternalAddress = "partner@elsewhere.example" });
            db.Groups.Add(group);
            await db.SaveChangesAsync();
            groupId = group.Id;
            await db.Mailboxes.Where(m => m.Address == "leaver@cascade.example").ExecuteDeleteAsync();
        }

        await using var check = database.CreateContext();
        var members = await check.GroupMembers.Where(m => m.GroupId == groupId).ToListAsync();
        Assert.Equal("partner@elsewhere.example", Assert.Single(members).ExternalAddress);
    }

    [Fact]
    public async Task Audit_retention_deletes_only_events_older_than_the_period()
    {
        var clock = new FakeTimeProvider(Now);
        await using var db = database.CreateContext();
        db.AuditEvents.AddRange(
            new Audit.AuditEvent { At = Now.AddDays(-31), Actor = "retention-test", Action = "old" },
            new Audit.AuditEvent { At = Now.AddDays(-29), Actor = "retention-test", Action = "recent" });
        await db.SaveChangesAsync();

        var deleted = await new AuditRetentionJob(db, clock, Options.Create(new AuditRetentionOptions { RetentionDays = 30 })).RunAsync();

        Assert.True(deleted >= 1);
        Assert.Equal(["recent"], await db.AuditEvents.Where(e => e.Actor == "retention-test").Select(e => e.Action).ToListAsync());
    }
}
