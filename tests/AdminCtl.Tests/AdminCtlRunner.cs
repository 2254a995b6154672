using System.Diagnostics;
using AdminConsole.Testing;

namespace AdminCtl.Tests;

/// <summary>Runs the built adminctl binary as an operator would, against a test database.</summary>
internal static class AdminCtlRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Task<Result> RunAsync(string database, params string[] args) => RunAsync(database, new Dictionary<string, string>(), args);

    public static async Task<Result> RunAsync(string database, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "adminctl"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        var options = TestEnvironment.Database(database);
        start.Environment["Database__Host"] = options.Host;
        start.Environment["Database__Port"] = options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Database__Username"] = options.Username;
        start.Environment["Database__Name"] = database;
        start.Environment["Credentials__Directory"] = TestEnvironment.CredentialsDirectory;
        foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("adminctl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static string Line(this Result result, string prefix) =>
        result.Stdout.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim();
}
