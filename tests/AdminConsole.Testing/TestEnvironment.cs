using AdminConsole.Core.Data;
using AdminConsole.Core.Security;
using Npgsql;

namespace AdminConsole.Testing;

/// <summary>
/// Where the tests find PostgreSQL: deploy/test.sh exports the same variables the console reads
/// (Database__Host, Database__Port, Database__Username, Credentials__Directory). A test run without
/// them fails with a message saying so; it never skips.
/// </summary>
public static class TestEnvironment
{
    /// <summary>The database deploy/test.sh creates for the tests to connect to while they create their own.</summary>
    public const string MaintenanceDatabase = "adminconsole_test";

    public static string CredentialsDirectory =>
        Environment.GetEnvironmentVariable("Credentials__Directory")
        ?? throw new InvalidOperationException("Credentials__Directory is not set: run the tests through deploy/test.sh.");

    public static DatabaseOptions Database(string name) => new()
    {
        Host = Environment.GetEnvironmentVariable("Database__Host") ?? "127.0.0.1",
        Port = int.Parse(Environment.GetEnvironmentVariable("Database__Port")
            ?? throw new InvalidOperationException("Database__Port is not set: run the tests through deploy/test.sh."), System.Globalization.CultureInfo.InvariantCulture),
        Username = Environment.GetEnvironmentVariable("Database__Username") ?? "adminconsole",
        Name = name,
    };

    public static string ConnectionString(string database) =>
        Database(database).BuildConnectionString(new CredentialStore(CredentialsDirectory));

    public static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
