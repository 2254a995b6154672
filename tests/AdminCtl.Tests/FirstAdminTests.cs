using System.Diagnostics;
using AdminConsole.Testing;

namespace AdminCtl.Tests;

/// <summary>deploy/run.sh's first-admin step (ensure_first_admin in deploy/lib.sh), run as the script runs it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FirstAdminTests
{
    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "deploy", "lib.sh"))) return dir.FullName;
        throw new InvalidOperationException("deploy/lib.sh not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int Code, string Output)> EnsureFirstAdminAsync(string database, string secrets)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("source \"$REPO/deploy/lib.sh\" && ensure_first_admin \"$ADMINCTL\" \"$SECRETS_DIR\" first@example.com");
        start.Environment["REPO"] = Repository();
        start.Environment["ADMINCTL"] = Path.Combine(AppContext.BaseDirectory, "adminctl");
        start.Environment["SECRETS_DIR"] = secrets;
        var options = TestEnvironment.Database(database);
        start.Environment["Database__Host"] = options.Host;
        start.Environment["Database__Port"] = options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Database__Username"] = options.Username;
        start.Environment["Database__Name"] = database;
        start.Environment["Credentials__Directory"] = TestEnvironment.CredentialsDirectory;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task The_first_admins_password_is_written_to_a_private_file_and_never_printed()
    {
        var database = new TestDatabase();
        await TestEnvironment.ExecuteAsync(TestEnvironment.MaintenanceDatabase, $"CREATE DATABASE \"{database.Name}\"");
        var secrets = Path.Combine(Directory.CreateTempSubdirectory("first-admin").FullName, "secrets");
        try
        {
            Assert.Equal(0, (await AdminCtlRunner.RunAsync(database.Name, "migrate")).ExitCode);
            var (code, output) = await EnsureFirstAdminAsync(database.Name, secrets);
            Assert.Equal(0, code);
            var file = Path.Combine(secrets, "admin-password");
            var password = (await File.ReadAllTextAsync(file)).Trim();
            Assert.Equal(20, password.Length);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.DoesNotContain(password, output, StringComparison.Ordinal);
            Assert.Contains(file, output, StringComparison.Ordinal);

            // A second run finds the admin and changes nothing.
            var (again, _) = await EnsureFirstAdminAsync(database.Name, secrets);
            Assert.Equal(0, again);
            Assert.Equal(password, (await File.ReadAllTextAsync(file)).Trim());
            var list = await AdminCtlRunner.RunAsync(database.Name, "admin", "list");
            Assert.Single(list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(secrets)!, recursive: true);
            await database.DisposeAsync();
        }
    }
}
