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
    private EnginePushJob Job(Data.AdminDbContext db, EnginePolicyOptions? policy = null) => new(
        db,
        new SnapshotCompiler(db, Options.Create(policy ?? new EnginePolicyOptions())),
        new EnginePushScheduler(new ServiceCollection().BuildServiceProvider(), TimeProvider.System),
        new EnginePushStatus(),
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
