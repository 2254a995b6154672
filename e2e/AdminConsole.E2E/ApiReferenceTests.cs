using AdminConsole.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

public sealed class ApiReferenceTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    [Fact]
    public async Task The_API_reference_renders_the_OpenAPI_document_in_the_browser()
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = host.Factory.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var blocked = new List<string>();
        page.Console += (_, message) => { if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) blocked.Add(message.Text); };

        var openapi = await page.APIRequest.GetAsync("/openapi/v1.json");
        Assert.Equal(200, openapi.Status);
        Assert.Contains("/api/v1/mailboxes/{address}/password", await openapi.TextAsync(), StringComparison.Ordinal);

        await page.GotoAsync("/api/docs");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/api/docs/v1$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Mail admin console API" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        foreach (var tag in new[] { "Domains", "Mailboxes", "Groups", "Audit", "Engine" })
            await Expect(page.GetByText(tag, new() { Exact = true }).First).ToBeVisibleAsync();
        Assert.Empty(blocked);
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "api-docs.png") });
    }
}
