using AdminConsole.Core.Domains;
using AdminConsole.Core.Engine;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Tests.Engine;

public sealed class EnginePushJobTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static readonly SnapshotCipher Cipher = new(new AdminConsole.Core.Security.MasterKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));

    private EnginePushJob Job(Data.AdminDbContext db, EnginePolicyOptions? policy = null) => new(
        db,
        new SnapshotCompiler(db, Options.Create(policy ?? new EnginePolicyOptions()),
            new Dkim.DkimKeyService(db, Microsoft.AspNetCore.DataProtection.DataProtectionProvider.Create("tests"), new Audit.AuditLog(db, TimeProvider.System), TimeProvider.System),
            new Core.Srs.SrsSecretService(db, Microsoft.AspNetCore.DataProtection.DataProtectionProvider.Create("tests"), new Audit.AuditLog(db, TimeProvider.System), Options.Create(new Core.Srs.SrsOptions()), TimeProvider.System),
            new Core.Certificates.CertificateService(db, Microsoft.AspNetCore.DataProtection.DataProtectionProvider.Create("tests"), new Audit.AuditLog(db, TimeProvider.System), TimeProvider.System,
                Options.Create(new Core.Certificates.CertificateOptions()), new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<System.Net.Http.IHttpClientFactory>())),
        new EnginePushScheduler(new ServiceCollection().BuildServiceProvider()),
        new EnginePushStatus(),
        Cipher,
        TimeProvider.System,
        NullLogger<EnginePushJob>.Instance);

    [Fact]
    public async Task The_same_state_keeps_its_version_and_a_change_gets_a_new_one()
    {
        await using var db = database.CreateContext();
        await Job(db).RunAsync(CancellationToken.None);
        await Job(db).RunAsync(CancellationToken.None);
        var first = await db.EngineSnapshotVersions.MaxAsync(v => v.Version);
        Assert.Equal(1, await db.EngineSnapshotVersions.CountAsync(v => v.Version == first));

        db.Domains.Add(new MailDomain { Name = $"p{Guid.NewGuid():N}"[..10] + ".test", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        await Job(db).RunAsync(CancellationToken.None);
        Assert.Equal(first + 1, await db.EngineSnapshotVersions.MaxAsync(v => v.Version));
    }

    [Fact]
    public async Task Concurrent_pushes_of_the_same_state_publish_one_version()
    {
        await using (var db = database.CreateContext()) await Job(db).RunAsync(CancellationToken.None);
        int before;
        await using (var db = database.CreateContext()) before = await db.EngineSnapshotVersions.CountAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var db = database.CreateContext();
            await Job(db).RunAsync(CancellationToken.None);
        }));

        await using var check = database.CreateContext();
        Assert.Equal(before, await check.EngineSnapshotVersions.CountAsync());
    }

    [Fact]
    public async Task Published_versions_hold_no_password_hash_in_clear()
    {
        const string hash = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$c2VjcmV0c2FsdA$dGhpc2lzYWZha2VoYXNoZm9ydGhldGVzdA";
        await using var db = database.CreateContext();
        var domain = new MailDomain { Name = $"h{Guid.NewGuid():N}"[..10] + ".test", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        db.Domains.Add(domain);
        db.Mailboxes.Add(new Mailboxes.Mailbox { Domain = domain, LocalPart = "secret", Address = "secret@" + domain.Name, PasswordHash = hash, QuotaBytes = 1 << 20, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        await Job(db).RunAsync(CancellationToken.None);

        // The raw column bytes, as anyone with a database dump would read them.
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var blobs = new List<byte[]>();
        foreach (var sql in new[] { "SELECT content FROM engine_snapshot_versions", "SELECT content FROM engine_snapshot_chunks" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) blobs.Add((byte[])reader[0]);
        }

        Assert.NotEmpty(blobs);
        foreach (var needle in new[] { "argon2id", "secret@", "c2VjcmV0c2FsdA" })
            Assert.DoesNotContain(blobs, b => System.Text.Encoding.UTF8.GetString(b).Contains(needle, StringComparison.Ordinal));

        // And the follower's reading of the newest version gives the hash back intact.
        var row = await db.EngineSnapshotVersions.OrderByDescending(v => v.Version).FirstAsync();
        var chunks = await db.EngineSnapshotChunks.Where(c => row.MailboxChunks.Contains(c.Hash)).ToListAsync();
        var snapshot = SnapshotChunks.Assemble(Cipher.OpenHead(row.Content, row.ContentHash), chunks.Select(c => Cipher.OpenChunk(c.Content, c.Hash)));
        Assert.Equal(hash, snapshot.Mailboxes.Single(m => m.Address == "secret@" + domain.Name).PasswordHash);
    }

    [Fact]
    public void Configured_trusted_networks_replace_the_defaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Engine:Policy:TrustedNetworks:0"] = "10.0.0.0/8",
        }).Build();
        var options = configuration.GetSection(EnginePolicyOptions.Section).Get<EnginePolicyOptions>()!;
        Assert.Equal(["10.0.0.0/8"], options.EffectiveTrustedNetworks);
        Assert.Equal(["127.0.0.0/8", "::1/128"], new EnginePolicyOptions().EffectiveTrustedNetworks);
    }
}
