using AdminConsole.Core.Security;
using Npgsql;

namespace AdminConsole.Core.Data;

/// <summary>
/// Where PostgreSQL is. The password is not an option: it is read from the "db-password"
/// credential, so no configuration file holds it.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 55432;
    public string Name { get; set; } = "adminconsole";
    public string Username { get; set; } = "adminconsole";

    /// <summary>Extra Npgsql settings ("SSL Mode=Require;Timeout=5"), never a password.</summary>
    public string? Extra { get; set; }

    public string BuildConnectionString(CredentialStore credentials)
    {
        var builder = new NpgsqlConnectionStringBuilder(Extra ?? string.Empty)
        {
            Host = Host,
            Port = Port,
            Database = Name,
            Username = Username,
            ApplicationName = "mail-admin-console",
        };
        if (!string.IsNullOrEmpty(builder.Password))
            throw new InvalidOperationException("Database:Extra must not carry a password; put it in the db-password credential.");
        builder.Password = credentials.TryRead(CredentialStore.DatabasePassword);
        return builder.ConnectionString;
    }
}
