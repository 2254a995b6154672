using Microsoft.Extensions.DependencyInjection;
using AdminConsole.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

public sealed class SignInTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private async Task<IPage> NewPageAsync()
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Factory.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    [Fact]
    public async Task An_admin_signs_in_through_the_browser_and_sees_the_dashboard_with_real_figures()
    {
        var admin = await host.CreateAdminAsync("browser-admin@example.com");
        var page = await NewPageAsync();

        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await page.FillAsync("#email", admin.Account.Email);
        await page.FillAsync("#password", admin.Password);
        await page.ClickAsync("#signin-submit");

        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await Expect(page.Locator("h1", new() { HasText = "Dashboard" })).ToBeVisibleAsync();
        await Expect(page.Locator("#signed-in-as")).ToHaveTextAsync(admin.Account.Email);
        await Expect(page.Locator("#database-status")).ToHaveTextAsync("up");
        await Expect(page.Locator("#stat-admins .stat-value")).ToHaveTextAsync(
            (await CountAdminsAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#job-servers")).ToContainTextAsync("alive");

        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        var file = Path.Combine(screenshots, "dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        Assert.True(new FileInfo(file).Length > 10_000);

        await page.ClickAsync("#signout");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin$"));
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
    }

    [Fact]
    public async Task A_wrong_password_shows_the_message_and_keeps_the_address()
    {
        await host.CreateAdminAsync("browser-wrong@example.com");
        var page = await NewPageAsync();
        await page.GotoAsync("/signin");
        await page.FillAsync("#email", "browser-wrong@example.com");
        await page.FillAsync("#password", "definitely-wrong");
        await page.ClickAsync("#signin-submit");

        await Expect(page.Locator("#signin-error")).ToHaveTextAsync("The email address or password is not correct.");
        await Expect(page.Locator("#email")).ToHaveValueAsync("browser-wrong@example.com");
        await Expect(page.Locator("#password")).ToHaveValueAsync("");
    }

    private async Task<int> CountAdminsAsync()
    {
        await using var db = host.Database.CreateContext();
        return db.AdminAccounts.Count();
    }

    [Fact]
    public async Task A_session_ended_by_a_password_reset_lands_on_the_sign_in_page_which_says_why_once()
    {
        var admin = await host.CreateAdminAsync("ended-admin@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, "/domains");

        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Accounts.AdminAccountService>().ResetPasswordAsync(admin.Account.Email, "admin:someone-else@example.com");

        await page.GotoAsync("/mailboxes");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await Expect(page.Locator("#signin-ended")).ToContainTextAsync("password or two-factor settings changed");
        await Browser.ScreenshotAsync(page, "signin-session-ended.png");

        // Said once: the next visit to the sign-in page is a plain one.
        await page.ReloadAsync();
        await Expect(page.Locator("#signin-submit")).ToBeVisibleAsync();
        await Expect(page.Locator("#signin-ended")).ToHaveCountAsync(0);
    }
}
