using AdminConsole.Core;
using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace AdminConsole.Web.Features.Operations;

/// <summary>Healthy when PostgreSQL answers within a few seconds and has no pending migrations.</summary>
internal sealed class PostgreSqlHealthCheck(DatabaseConnection connection, AdminDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Timeout = 3, Pooling = false };
            await using (var conn = new NpgsqlConnection(builder.ConnectionString))
            {
                await conn.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", conn) { CommandTimeout = 3 };
                await command.ExecuteScalarAsync(cancellationToken);
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
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
