using AdminConsole.Core;
using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AdminConsole.Web.Features.Operations;

/// <summary>
/// Healthy when PostgreSQL answers within a few seconds and every migration this build knows is
/// applied. The check uses a connection of its own outside the pool: a pooled connection that died
/// with the server would make the first check after a restart fail.
/// </summary>
internal sealed class PostgreSqlHealthCheck(DatabaseConnection connection, AdminDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Timeout = 3, CommandTimeout = 3, Pooling = false };
            await using var conn = new NpgsqlConnection(builder.ConnectionString);
            await conn.OpenAsync(cancellationToken);

            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var command = new NpgsqlCommand("SELECT to_regclass('\"__EFMigrationsHistory\"') IS NOT NULL", conn))
            {
                if (await command.ExecuteScalarAsync(cancellationToken) is true)
                {
                    await using var history = new NpgsqlCommand("SELECT migration_id FROM \"__EFMigrationsHistory\"", conn);
                    await using var reader = await history.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetString(0));
                }
            }

            var pending = db.Database.GetMigrations().Count(m => !applied.Contains(m));
            return pending == 0
                ? HealthCheckResult.Healthy("PostgreSQL answers and the schema is current.")
                : HealthCheckResult.Unhealthy($"{pending} database migration(s) pending: run adminctl migrate.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL is unreachable: {e.Message}");
        }
    }
}
