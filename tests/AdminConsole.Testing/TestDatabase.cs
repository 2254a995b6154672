using AdminConsole.Core;
using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit;

namespace AdminConsole.Testing;

/// <summary>
/// A database of its own for one test class, created and migrated on the real PostgreSQL cluster and
/// dropped afterwards, so test classes run side by side without seeing each other's rows.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public string Name { get; } = $"t_{Guid.NewGuid():N}";

    public string ConnectionString => TestEnvironment.ConnectionString(Name);

    public async Task InitializeAsync()
    {
        await TestEnvironment.ExecuteAsync(TestEnvironment.MaintenanceDatabase, $"CREATE DATABASE \"{Name}\"");
        await using var db = CreateContext();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await TestEnvironment.ExecuteAsync(TestEnvironment.MaintenanceDatabase, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    public AdminDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<AdminDbContext>();
        ServiceCollectionExtensions.ConfigureDbContext(builder, ConnectionString);
        return new AdminDbContext(builder.Options);
    }
}
