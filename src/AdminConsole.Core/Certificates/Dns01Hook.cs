using CliWrap;
using CliWrap.Buffered;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Certificates;

/// <summary>
/// The operator's dns-01 program (<see cref="CertificateOptions.Dns01Hook"/>) for DNS providers without
/// RFC 2136: <c>HOOK add _acme-challenge.example.com VALUE</c> before the challenge, <c>HOOK remove …</c>
/// after. Run through CliWrap with its arguments as a list (no shell string); a non-zero exit or a run
/// past the timeout fails the challenge with what the program wrote to stderr.
/// </summary>
public sealed class Dns01Hook(IOptions<CertificateOptions> options)
{
    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.Dns01Hook);

    public async Task RunAsync(bool add, string recordName, string value, CancellationToken ct)
    {
        var program = options.Value.Dns01Hook ?? throw new InvalidOperationException("no dns-01 hook is configured");
        var verb = add ? "add" : "remove";
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(options.Value.Dns01HookTimeout);
        BufferedCommandResult result;
        try
        {
            result = await Cli.Wrap(program).WithArguments([verb, recordName, value]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CertificateIssuanceException("challenge", $"{recordName}: the dns-01 hook {program} {verb} did not finish within {options.Value.Dns01HookTimeout.TotalSeconds:0} s and was stopped.");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new CertificateIssuanceException("challenge", $"{recordName}: the dns-01 hook {program} could not be started: {e.Message}.", e);
        }

        if (result.ExitCode != 0)
        {
            var said = (result.StandardError.Trim() is { Length: > 0 } error ? error : result.StandardOutput.Trim()) is { Length: > 0 } text ? text : "nothing";
            throw new CertificateIssuanceException("challenge", $"{recordName}: the dns-01 hook {program} {verb} exited with {result.ExitCode} and said: {(said.Length > 500 ? said[..500] + "…" : said)}");
        }
    }
}
