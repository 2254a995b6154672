using Microsoft.Extensions.Configuration;

namespace AdminConsole.Core.Security;

/// <summary>
/// Reads secrets from a credentials folder, one file per secret, the way systemd's
/// <c>LoadCredential=</c> provides them in <c>$CREDENTIALS_DIRECTORY</c>. Secrets therefore never sit in
/// configuration files or environment variables. The folder is <c>Credentials:Directory</c> when set
/// (deploy/run.sh points it at .local/secrets), else <c>$CREDENTIALS_DIRECTORY</c>.
/// </summary>
public sealed class CredentialStore
{
    public const string DatabasePassword = "db-password";
    public const string MasterKey = "master-key";

    /// <summary>The bearer token Prometheus scrapes /metrics with.</summary>
    public const string MetricsToken = "metrics-token";

    public CredentialStore(IConfiguration configuration)
        : this(configuration["Credentials:Directory"] ?? Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"))
    {
    }

    public CredentialStore(string? directory) => Directory = directory;

    public string? Directory { get; }

    public string? TryRead(string name)
    {
        if (string.IsNullOrEmpty(Directory)) return null;
        var path = Path.Combine(Directory, name);
        return File.Exists(path) ? File.ReadAllText(path).TrimEnd('\r', '\n') : null;
    }

    public string Read(string name) =>
        TryRead(name) ?? throw new InvalidOperationException(
            Directory is null
                ? $"The credential '{name}' is needed but no credentials folder is configured (set CREDENTIALS_DIRECTORY or Credentials:Directory)."
                : $"The credential '{name}' is missing from {Directory}.");
}
