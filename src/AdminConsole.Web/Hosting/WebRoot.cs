namespace AdminConsole.Web.Hosting;

/// <summary>
/// The web root is the repository's top-level <c>wwwroot/</c> (the layout the product's design asks
/// for). <c>src/AdminConsole.Web/wwwroot</c> is a symbolic link to it, so the SDK treats its files as
/// the project's static web assets and a published build carries them, with the packages' assets, in a
/// <c>wwwroot/</c> beside the binary, which is then used. From the source tree (<c>dotnet run</c>, the
/// test host) the top-level folder is found by walking up to the solution. <c>ASPNETCORE_WEBROOT</c>
/// or <c>--webroot</c> overrides both.
/// </summary>
internal static class WebRoot
{
    public static string? Locate(string[] args)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_WEBROOT")) || args.Any(a => a.StartsWith("--webroot", StringComparison.OrdinalIgnoreCase)))
            return null;

        var published = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(Path.Combine(published, "_content"))) return published;

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AdminConsole.sln")) && Directory.Exists(Path.Combine(dir.FullName, "wwwroot")))
                    return Path.Combine(dir.FullName, "wwwroot");
            }
        }

        return null;
    }
}
