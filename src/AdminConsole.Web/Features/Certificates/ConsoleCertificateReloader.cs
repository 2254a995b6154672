using AdminConsole.Core.Certificates;
using Microsoft.Extensions.Options;

namespace AdminConsole.Web.Features.Certificates;

/// <summary>
/// Keeps the console's HTTPS certificates current: read at start, again at once when a new snapshot
/// version is published (by this console, another one or adminctl), and at the configured interval
/// (for a certificate that expired meanwhile, which leaves the set).
/// </summary>
internal sealed class ConsoleCertificateReloader(ConsoleCertificates certificates, IOptions<CertificateOptions> options, ILogger<ConsoleCertificateReloader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await certificates.ReloadAsync(stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
            {
                logger.LogWarning("The console's HTTPS certificates could not be read ({Reason}); it keeps those it has.", e.Message);
            }

            try
            {
                await certificates.WaitForChangeAsync(options.Value.ConsoleReloadInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
