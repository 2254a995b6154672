using AdminConsole.Core;
using AdminConsole.Core.Data;
using AdminConsole.Core.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Configuration;

namespace AdminConsole.Migrations;

/// <summary>
/// Lets <c>dotnet ef</c> build the context without the web host. It reads the same settings as the
/// host (environment variables such as <c>Database__Port</c> and the credentials folder), so
/// <c>dotnet ef database update</c> reaches the same database as <c>adminctl migrate</c>.
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AdminDbContext>
{
    public AdminDbContext CreateDbContext(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = options.BuildConnectionString(new CredentialStore(configuration));
        var builder = new DbContextOptionsBuilder<AdminDbContext>();
        ServiceCollectionExtensions.ConfigureDbContext(builder, connectionString);
        return new AdminDbContext(builder.Options);
    }
}
