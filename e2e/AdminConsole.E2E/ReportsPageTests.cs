using AdminConsole.Core.Engine;
using AdminConsole.Core.Reports;
using AdminConsole.Testing;
using MailEngine.Auth;
using MailEngine.Hosting;
using MailEngine.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// The Reports page (issue #16 item 8) in the browser: reports sent over SMTP to a domain's report
/// addresses and imported show with their counts (pass and fail, the sources, what a stricter policy
/// would do, the TLS sessions, the message that was no report), at a desktop and a phone's width; a
/// domain with no reports says so.
/// </summary>
public sealed class ReportsPageTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private static Task<int> OverflowAsync(IPage page) => page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");

    private async Task<string> DomainWithReportsAsync(bool send)
    {
        var domain = $"p{Guid.NewGuid():N}"[..12] + ".test";
        await host.Database.SeedAsync(domain, new MailboxSeed("dmarc-reports", PasswordHash: MailPasswordHasher.Hash("reports-password-1")), new MailboxSeed("tls-reports", PasswordHash: MailPasswordHasher.Hash("reports-password-1")));
        host.Factory.Services.GetRequiredService<EnginePushScheduler>().Request();
        await host.WaitForEngineAsync(s => s.Mailbox($"tls-reports@{domain}") is not null, $"The engine never learnt {domain}");
        if (!send) return domain;
        var mx = host.Factory.Services.GetRequiredService<MailEngineHost>().Endpoints[ListenerKind.Mx];
        await ReportMail.SendAsync(mx, ReportMail.Aggregate(domain));
        await ReportMail.SendAsync(mx, ReportMail.Aggregate(domain, organization: "enterprise.protection.outlook.com", reportId: "d6f7c5ab"));
        await ReportMail.SendAsync(mx, ReportMail.Tls(domain));
        await ReportMail.SendAsync(mx, ReportMail.NotAReport(domain));
        await using var scope = host.Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReportImportJob>().RunAsync(CancellationToken.None);
        return domain;
    }

    [Theory]
    [InlineData(1440, 900)]
    [InlineData(390, 844)]
    public async Task Reports_show_with_their_counts_at_a_desktop_and_a_phones_width(int width, int height)
    {
        var domain = await DomainWithReportsAsync(send: true);
        var admin = await host.CreateAdminAsync($"reports-{Guid.NewGuid():N}@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, $"/domains/{domain}/reports", new ViewportSize { Width = width, Height = height });

        var total = 2 * (ReportMail.Passing + ReportMail.Failing);
        await Expect(page.Locator("#reports-totals")).ToContainTextAsync($"{total} messages in 2 reports: {2 * ReportMail.Passing} passed, {2 * ReportMail.Failing} failed");
        await Expect(page.Locator("#reports-chart rect[data-pass]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#reports-chart rect[data-pass]")).ToHaveAttributeAsync("data-pass", (2 * ReportMail.Passing).ToString());
        await Expect(page.Locator($"#reports-sources [data-messages='{ReportMail.GoodSource}']")).ToHaveTextAsync((2 * ReportMail.Passing).ToString());
        await Expect(page.Locator($"#reports-sources [data-messages='{ReportMail.BadSource}']")).ToHaveTextAsync((2 * ReportMail.Failing).ToString());
        await Expect(page.Locator("#reports-sources")).ToContainTextAsync("enterprise.protection.outlook.com, google.com");
        await Expect(page.Locator("#reports-quarantine")).ToContainTextAsync($"{2 * ReportMail.Failing} failing messages from 1 source would go to Junk");
        await Expect(page.Locator("#reports-tls-list")).ToContainTextAsync("5326 ok, 303 failed");
        await Expect(page.Locator("#reports-tls-list")).ToContainTextAsync("certificate-expired, starttls-not-supported");
        await Expect(page.Locator("#reports-refused")).ToContainTextAsync("report refused: the message has no gzip, zip, XML or JSON part");
        await Browser.ScreenshotAsync(page, $"reports-{width}.png");
        Assert.True(await OverflowAsync(page) <= 0, "the page is wider than the screen");
    }

    [Fact]
    public async Task A_domain_without_reports_says_how_they_come()
    {
        var domain = await DomainWithReportsAsync(send: false);
        var admin = await host.CreateAdminAsync($"reports-{Guid.NewGuid():N}@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, $"/domains/{domain}/reports", new ViewportSize { Width = 1440, Height = 900 });
        await Expect(page.Locator("#reports-totals")).ToContainTextAsync($"No aggregate reports yet. Receivers send them daily to dmarc-reports@{domain}");
        await Expect(page.Locator("#reports-chart-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#reports-tls-list")).ToContainTextAsync($"tls-reports@{domain}");
        await Expect(page.Locator("#reports-refused")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(page, "reports-empty.png");

        // The DNS page's DMARC policy steps lead here.
        // A click before the circuit is interactive is lost (Blazor intercepts the link, the circuit
        // that would navigate is not there yet).
        await page.GotoAsync($"/domains/{domain}/dns");
        await Expect(page.Locator("#circuit-state")).ToHaveAttributeAsync("data-interactive", "true");
        await page.Locator("#dmarc-reports-link").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/domains/{domain.Replace(".", "\\.")}/reports$"));
    }
}
