using System.Diagnostics;

namespace AdminConsole.Testing;

/// <summary>Runs a peer program from Debian (dkimpy, named-checkzone) the way an operator would; a missing one fails the test.</summary>
public static class ExternalProgram
{
    public sealed record Result(int ExitCode, string Output, string Errors);

    public static Task<Result> RunAsync(string program, params string[] args) => RunInAsync(null, TimeSpan.FromSeconds(60), null, program, args);

    /// <summary>
    /// The same from a folder (a .NET tool finds its manifest there) with a limit of its own: the limit
    /// only ends a program that hangs, so it is minutes where the program takes seconds.
    /// </summary>
    public static Task<Result> RunInAsync(string? workingDirectory, TimeSpan limitAfter, IReadOnlyDictionary<string, string>? environment, string program, params string[] args) =>
        RunCoreAsync(workingDirectory, limitAfter, environment, null, program, args);

    /// <summary>The same with <paramref name="input"/> as its standard input (promtool check metrics reads only that).</summary>
    public static Task<Result> RunWithInputAsync(string input, string program, params string[] args) =>
        RunCoreAsync(null, TimeSpan.FromSeconds(60), null, input, program, args);

    private static async Task<Result> RunCoreAsync(string? workingDirectory, TimeSpan limitAfter, IReadOnlyDictionary<string, string>? environment, string? input, string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, WorkingDirectory = workingDirectory ?? "" };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start (deploy/test.sh installs it)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var limit = new CancellationTokenSource(limitAfter);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish: {await stdout}{await stderr}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
