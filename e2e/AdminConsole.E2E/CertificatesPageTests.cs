using AdminConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>
/// The Certificates page: the self-signed fallback said plainly while there is none, a certificate
/// requested from pebble on the page and followed until it is installed (twice: HTTP-01, TLS-ALPN-01), uploads checked beside
/// their fields, at a laptop's and a phone's width.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertificatesPageTests(AcmeConsoleHost host, Browser browser) : IClassFixture<AcmeConsoleHost>, IClassFixture<Browser>
{
    private async Task<IPage> SignInAsync(int width = 1440, int height = 900)
    {
        var admin = await host.CreateAdminAsync($"certs-{Guid.NewGuid():N}@example.com");
        return await browser.SignInAsync(host, admin.Account.Email, admin.Password, "/certificates", new ViewportSize { Width = width, Height = height });
    }

    private static async Task AssertFitsAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the screen");
    }

    [Fact]
    public async Task A_certificate_requested_on_the_page_is_followed_until_valid_and_a_second_request_works_too()
    {
        var page = await SignInAsync();
        await Expect(page.Locator("#certificate-fallback")).ToContainTextAsync("self-signed");

        // Refused beside the fields: no names, terms not agreed (pebble has terms).
        await page.SelectOptionAsync("#acme-authority", new SelectOptionValue { Label = "Another CA (directory URL)" });
        await page.FillAsync("#acme-directory", host.DirectoryUrl);
        await page.ClickAsync("#acme-request");
        await Expect(page.Locator("#acme-form")).ToContainTextAsync("Give at least one name");
        await page.FillAsync("#acme-names", "mail.acme.test");
        await page.ClickAsync("#acme-request");
        await Expect(page.Locator("#acme-agree-error")).ToContainTextAsync("terms of service");
        await Browser.ScreenshotAsync(page, "certificates-errors-1440.png");

        // The installation's names filled in: the mail host (this console's Engine:HostName) first, then each domain's.
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Domains.DomainService>().CreateAsync("fill.test", new AdminConsole.Core.Domains.DomainChanges(), "test", null);
        await page.ClickAsync("#acme-suggest");
        await Expect(page.Locator("#acme-names")).ToHaveValueAsync("mail.acme.test mta-sts.fill.test autoconfig.fill.test");

        // Requested twice in a row (HTTP-01, then TLS-ALPN-01 answered by the console's HTTPS): each followed to "valid" by the page itself.
        foreach (var (names, challenge) in new[] { ("mail.acme.test, imap.acme.test", "HTTP-01: this console answers on port 80"), ("alpn.acme.test", "TLS-ALPN-01: this console answers on port 443") })
        {
            await page.SelectOptionAsync("#acme-challenge", new SelectOptionValue { Label = challenge });
            await page.FillAsync("#acme-names", names);
            await page.Locator("#acme-agree").CheckAsync();
            await page.ClickAsync("#acme-request");
            await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Requested a certificate");
            await Expect(page.Locator("#acme-names")).ToHaveValueAsync("");
        }

        var rows = page.Locator("#certificate-table tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-status='valid']")).ToHaveCountAsync(2, new() { Timeout = 180_000 });
        await Expect(page.Locator("#certificate-fallback")).ToHaveCountAsync(0);
        await Expect(page.Locator("#certificate-table")).ToContainTextAsync("issued by");
        // Followed to the last step: on the engine node and the console's HTTPS.
        foreach (var name in new[] { "mail.acme.test", "alpn.acme.test" })
            await Expect(page.Locator($"[data-in-use='{name}']")).ToHaveTextAsync("installed on engine node local, console HTTPS");
        await Browser.ScreenshotAsync(page, "certificates-issued-1440.png");
        await AssertFitsAsync(page);

        // On a phone the rows become cards with labels and nothing runs off the screen.
        var phone = await SignInAsync(390, 844);
        await Expect(phone.Locator("#certificate-table td[data-label='Status'] [data-status='valid']")).ToHaveCountAsync(2);
        await Expect(phone.Locator("#certificate-fallback")).ToHaveCountAsync(0);
        await Browser.ScreenshotAsync(phone, "certificates-issued-390.png");
        await AssertFitsAsync(phone);
    }

    [Fact]
    public async Task An_upload_is_checked_beside_its_fields_stored_once_and_listed()
    {
        var page = await SignInAsync();
        var (certificate, key) = host.Uploads.Issue(["page.upload.test"]);
        var (_, otherKey) = host.Uploads.Issue(["other.upload.test"]);
        var chain = certificate.ExportCertificatePem() + "\n" + host.Uploads.IntermediatePem;

        await page.FillAsync("#upload-chain", chain);
        await page.FillAsync("#upload-key", otherKey.ExportPkcs8PrivateKeyPem());
        await page.ClickAsync("#upload-save");
        await Expect(page.Locator("#upload-form")).ToContainTextAsync("This key does not belong to the certificate");
        await Expect(page.Locator("#certificate-table [data-certificate='page.upload.test']")).ToHaveCountAsync(0);

        await page.FillAsync("#upload-key", key.ExportPkcs8PrivateKeyPem());
        await page.ClickAsync("#upload-save");
        await Expect(page.Locator("#certificate-table [data-certificate='page.upload.test']")).ToHaveCountAsync(1);
        await Expect(page.Locator("#upload-chain")).ToHaveValueAsync("");

        // The same certificate a second time: said beside the chain, still one row.
        await page.FillAsync("#upload-chain", chain);
        await page.FillAsync("#upload-key", key.ExportPkcs8PrivateKeyPem());
        await page.ClickAsync("#upload-save");
        await Expect(page.Locator("#upload-form")).ToContainTextAsync("already uploaded");
        await Expect(page.Locator("#certificate-table [data-certificate='page.upload.test']")).ToHaveCountAsync(1);
        await Browser.ScreenshotAsync(page, "certificates-upload-1440.png");
        certificate.Dispose();
        key.Dispose();
        otherKey.Dispose();
    }
}
