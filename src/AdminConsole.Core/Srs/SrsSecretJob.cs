using Hangfire;

namespace AdminConsole.Core.Srs;

/// <summary>Daily: rotates the SRS secret when it is due and drops the ones no longer honoured (the save requests an engine push).</summary>
public sealed class SrsSecretJob(SrsSecretService secrets)
{
    public const string RecurringJobId = "srs-secret";

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken ct) => secrets.RotateAsync(force: false, "system:srs", ct);
}
