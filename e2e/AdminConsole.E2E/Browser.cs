using AdminConsole.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// Debian's Chromium driven by Playwright (no browser download: the package carries the driver, the
/// machine the browser). A missing Chromium fails the test run; it is installed by deploy/test.sh.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = default!;

    /// <summary>
    /// What the progress chip says once a save has landed: saved, then pushed and applied by the
    /// engine, or "unchanged" when the save changed nothing the engine holds (a description, or a
    /// second save of the same values). Waiting for "saved" alone raced the chip moving on.
    /// </summary>
    public static readonly System.Text.RegularExpressions.Regex SavedState = new("^(saved|pushed|applied|unchanged)$");

    public static string ExecutablePath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/lib/chromium/chromium";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"Chromium is not at {ExecutablePath}: install Debian's chromium package (deploy/test.sh does).");
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    /// <summary>
    /// A new browser context signed in through the real sign-in form, on the page it was sent to once
    /// the circuit is interactive (clicks before that are lost).
    /// </summary>
    public async Task<IPage> SignInAsync(ConsoleHost host, string email, string password, string returnUrl, ViewportSize? viewport = null, Uri? baseAddress = null)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (baseAddress ?? host.Factory.BaseAddress).ToString(),
            ViewportSize = viewport,
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#signin-submit");
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        return page;
    }

    /// <summary>A screenshot into bin/.../screenshots, where the closing notes point.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = fullPage });
    }

    public async Task DisposeAsync()
    {
        if (Instance is not null) await Instance.DisposeAsync();
        _playwright?.Dispose();
    }
}
