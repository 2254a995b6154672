using AdminConsole.Core.Domains;
using AdminConsole.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AdminConsole.E2E;

/// <summary>The DNS page of a domain: every record with a copy button, at a laptop's and a phone's width.</summary>
public sealed class DnsPageTests(ConsoleHost host, Browser browser) : IClassFixture<ConsoleHost>, IClassFixture<Browser>
{
    private async Task<IPage> SignInAsync(string returnUrl, int width, int height)
    {
        var admin = await host.CreateAdminAsync($"dns-{Guid.NewGuid():N}@example.com");
        return await browser.SignInAsync(host, admin.Account.Email, admin.Password, returnUrl, new ViewportSize { Width = width, Height = height });
    }

    [Theory]
    [InlineData(1440, 900)]
    [InlineData(390, 844)]
    public async Task The_DNS_page_lists_every_record_copies_a_value_and_fits_the_screen(int width, int height)
    {
        var domain = $"dns{width}.test";
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DomainService>().CreateAsync(domain, new DomainChanges(), "test", null);
        var page = await SignInAsync($"/domains/{domain}/dns", width, height);

        await Expect(page.Locator("#dns-title")).ToHaveTextAsync($"DNS records of {domain}");
        var table = page.Locator("#dns-records");
        await Expect(table).ToContainTextAsync("v=spf1 mx -all");
        await Expect(table).ToContainTextAsync($"_dmarc.{domain}");
        await Expect(page.Locator(".dns-value[data-type='TXT']", new() { HasText = "k=ed25519" })).ToHaveCountAsync(1);
        await Expect(page.Locator(".dns-value[data-type='TXT']", new() { HasText = "k=rsa" })).ToHaveCountAsync(1);

        await page.Locator($"[data-copy='_dmarc.{domain}']").ClickAsync();
        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Copied.");
        Assert.Equal($"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}", await page.EvaluateAsync<string>("navigator.clipboard.readText()"));

        // Long DKIM keys wrap instead of pushing the page sideways.
        var overflow = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the screen");
        await Expect(page.Locator("#dns-zone-download")).ToHaveAttributeAsync("href", $"/api/v1/domains/{domain}/dns/zone");
        await Browser.ScreenshotAsync(page, $"dns-{width}.png");

        // The zone file downloads with the browser's own session.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#dns-zone-download").ClickAsync());
        var text = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains($"$ORIGIN {domain}.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_MTA_STS_mode_is_chosen_on_the_domain_form_saved_twice_and_the_DNS_page_follows()
    {
        const string domain = "sts-mode.test";
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DomainService>().CreateAsync(domain, new DomainChanges(), "test", null);
        var page = await SignInAsync("/domains", 1440, 900);
        await page.Locator("#domain-table tr", new() { HasText = domain }).ClickAsync();
        await Expect(page.Locator("#domain-name")).ToHaveValueAsync(domain);

        foreach (var description in new[] { "first save", "second save" })
        {
            await page.FillAsync("#domain-description", description);
            await page.SelectOptionAsync("#domain-mta-sts", new SelectOptionValue { Label = "enforce: no delivery without valid TLS" });
            await page.ClickAsync("#domain-save");
            await Expect(page.Locator("#domain-progress")).ToBeVisibleAsync();
            await Expect(page.Locator("#domain-error")).ToHaveCountAsync(0);
            await Expect(page.Locator("#domain-table")).ToContainTextAsync(description);
        }

        await using (var db = host.Database.CreateContext())
            Assert.Equal(AdminConsole.Core.Dns.MtaStsMode.Enforce, db.Domains.Single(d => d.Name == domain).MtaStsMode);
        await page.GotoAsync($"/domains/{domain}/dns");
        await Expect(page.Locator("#dns-records")).ToContainTextAsync("mode enforce");
    }

    [Fact]
    public async Task The_DMARC_policy_is_stepped_up_on_the_DNS_page_saved_twice_and_the_record_follows()
    {
        const string domain = "dmarc-page.test";
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DomainService>().CreateAsync(domain, new DomainChanges(), "test", null);
        var page = await SignInAsync($"/domains/{domain}/dns", 1440, 900);
        await Expect(page.Locator("#dmarc-guide")).ToContainTextAsync("step 1 of 3");

        foreach (var (choice, policy, step) in new[] { ("#dmarc-quarantine", "quarantine", "step 2 of 3"), ("#dmarc-reject", "reject", "step 3 of 3"), ("#dmarc-reject", "reject", "step 3 of 3") })
        {
            await page.Locator(choice).ClickAsync();
            await page.ClickAsync("#dmarc-save");
            await Expect(page.Locator("#dmarc-guide")).ToContainTextAsync(step);
            await Expect(page.Locator("#dmarc-error")).ToHaveCountAsync(0);
            await Expect(page.Locator("#dns-records")).ToContainTextAsync($"v=DMARC1; p={policy}; rua=mailto:dmarc-reports@{domain}");
        }

        await using (var db = host.Database.CreateContext())
            Assert.Equal(AdminConsole.Core.Dns.DmarcPolicy.Reject, db.Domains.Single(d => d.Name == domain).DmarcPolicy);
        await page.Locator("#dmarc-policy").ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "dmarc-policy.png") });
    }

    [Fact]
    public async Task An_unknown_domain_says_so_on_the_page()
    {
        var page = await SignInAsync("/domains/nowhere.test/dns", 1440, 900);
        await Expect(page.Locator("#dns-error")).ToContainTextAsync("No domain nowhere.test");
    }
}

/// <summary>The DNS page's live check against a real BIND 9: each record's chip says what the name server has.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DnsCheckPageTests(DnsCheckHost host, Browser browser) : IClassFixture<DnsCheckHost>, IClassFixture<Browser>
{
    [Fact]
    public async Task Check_now_shows_which_records_are_published_which_differ_and_which_are_missing()
    {
        const string domain = "page-check.test";
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DomainService>().CreateAsync(domain, new DomainChanges(), "test", null);
        await host.Bind.StartAsync(new Dictionary<string, string>
        {
            [domain] = $"$TTL 300\n@ IN SOA ns1.{domain}. h.{domain}. 1 3600 600 86400 300\n@ IN NS ns1.{domain}.\nns1 IN A 127.0.0.1\n@ IN MX 10 mx.console.test.\n@ IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n",
        });

        var admin = await host.CreateAdminAsync("dns-check@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, $"/domains/{domain}/dns", new ViewportSize { Width = 1440, Height = 900 });

        await Expect(page.Locator("#dns-check-summary")).ToContainTextAsync("Not checked yet");
        await page.ClickAsync("#dns-check");
        await Expect(page.Locator("#dns-check-summary")).ToContainTextAsync($"ns1.{domain}");
        await Expect(page.Locator("#dns-check-summary")).ToContainTextAsync("need attention");
        await Expect(page.Locator($"[data-record='MX {domain}']")).ToHaveAttributeAsync("data-status", "match");
        await Expect(page.Locator($"[data-record='TXT {domain}']")).ToHaveAttributeAsync("data-status", "mismatch");
        await Expect(page.Locator(".dns-found")).ToContainTextAsync("v=spf1 ip4:192.0.2.1 -all");
        await Expect(page.Locator($"[data-record='TXT _dmarc.{domain}']")).ToHaveAttributeAsync("data-status", "missing");

        await Browser.ScreenshotAsync(page, "dns-check.png");

        // The dashboard says so too, with a link to the page.
        await page.GotoAsync("/");
        await Expect(page.Locator($"#dns-problems [data-domain='{domain}']")).ToContainTextAsync("record(s)");
        await Browser.ScreenshotAsync(page, "dashboard-dns-problems.png");
        await page.Locator($"#dns-problems [data-domain='{domain}'] a").ClickAsync();
        await Expect(page.Locator("#dns-title")).ToHaveTextAsync($"DNS records of {domain}");
    }

    [Fact]
    public async Task Publishing_by_RFC_2136_from_the_page_makes_every_record_published()
    {
        const string domain = "page-publish.test";
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await using (var scope = host.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DomainService>().CreateAsync(domain, new DomainChanges(), "test", null);
        await host.Bind.StartAsync(new Dictionary<string, string>
        {
            [domain] = $"$TTL 300\n@ IN SOA ns1.{domain}. h.{domain}. 1 3600 600 86400 300\n@ IN NS ns1.{domain}.\nns1 IN A 127.0.0.1\n",
        }, ("page-key", secret));

        var admin = await host.CreateAdminAsync("dns-publish@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, $"/domains/{domain}/dns", new ViewportSize { Width = 1440, Height = 900 });
        await page.Locator("#dns-publisher-panel").ClickAsync();
        await page.FillAsync("#dns-publisher-server", host.Bind.Endpoint);
        await page.FillAsync("#dns-publisher-key", "page-key");
        await page.FillAsync("#dns-publisher-secret", "not base64!");
        await page.ClickAsync("#dns-publisher-save");
        await Expect(page.Locator("#dns-publisher-panel")).ToContainTextAsync("The secret is base64");

        // Saved twice: the second save without a secret keeps the one set first.
        await page.FillAsync("#dns-publisher-secret", secret);
        await page.ClickAsync("#dns-publisher-save");
        await Expect(page.Locator("#dns-publisher-panel")).ToContainTextAsync("Set; leave empty to keep it.");
        await page.ClickAsync("#dns-publisher-save");
        await Expect(page.Locator("#dns-publisher-panel")).Not.ToContainTextAsync("The secret is base64");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);

        await page.ClickAsync("#dns-publish");
        await Expect(page.Locator("#dns-publish-result")).ToContainTextAsync("every record is published now.");
        await Expect(page.Locator("[data-status='match']")).ToHaveCountAsync(15);
        await Browser.ScreenshotAsync(page, "dns-published.png");
    }

    [Theory]
    [InlineData(1440, 900)]
    [InlineData(390, 844)]
    public async Task A_DKIM_rotation_runs_from_the_page_step_by_step_and_the_schedule_saves_twice(int width, int height)
    {
        var domain = $"page-rotate{width}.test";
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await host.Bind.StartAsync(new Dictionary<string, string>
        {
            [domain] = $"$TTL 300\n@ IN SOA ns1.{domain}. h.{domain}. 1 3600 600 86400 300\n@ IN NS ns1.{domain}.\nns1 IN A 127.0.0.1\n",
        }, ("rotate-key", secret));
        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DomainService>().CreateAsync(domain, new DomainChanges(), "test", null);
            var publisher = scope.ServiceProvider.GetRequiredService<AdminConsole.Core.Dns.DnsPublisher>();
            await publisher.SetAsync(domain, host.Bind.Endpoint, null, "rotate-key", null, secret, "test", null);
            await publisher.PublishAsync(domain, "test", null);
        }

        var admin = await host.CreateAdminAsync($"dns-rotate{width}@example.com");
        var page = await browser.SignInAsync(host, admin.Account.Email, admin.Password, $"/domains/{domain}/dns", new ViewportSize { Width = width, Height = height });
        await Expect(page.Locator("#dkim-rotation-next")).ToHaveAttributeAsync("data-step", "idle");
        await Expect(page.Locator("#dkim-keys tr[data-state='active']")).ToHaveCountAsync(2);

        await page.ClickAsync("#dkim-rotate");
        await Expect(page.Locator("#dkim-rotation-next")).ToHaveAttributeAsync("data-step", "publishing");
        await Expect(page.Locator("[data-rotation-done]").First).ToContainTextAsync("Made the next keys");
        await Expect(page.Locator("#dkim-keys tr[data-state='pending']")).ToHaveCountAsync(2);
        await Browser.ScreenshotAsync(page, $"dkim-rotation-publishing-{width}.png");
        await page.Locator("#dkim-rotation").ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", $"dkim-rotation-panel-{width}.png") });

        await page.ClickAsync("#dkim-advance");
        await Expect(page.Locator("#dkim-rotation-next")).ToHaveAttributeAsync("data-step", "grace");
        await Expect(page.Locator("[data-rotation-done]").First).ToContainTextAsync("signing switched");
        await Expect(page.Locator("#dkim-keys tr[data-state='retiring']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#dkim-keys tr[data-state='active']")).ToHaveCountAsync(2);

        // A second Continue in the grace period changes nothing and says why.
        await page.ClickAsync("#dkim-advance");
        await Expect(page.Locator("[data-rotation-done]").First).ToContainTextAsync("Nothing could move yet");

        foreach (var _ in new[] { "first save", "second save" })
        {
            await page.SelectOptionAsync("#dkim-schedule", new SelectOptionValue { Label = "Every 6 month(s)" });
            await page.ClickAsync("#dkim-schedule-save");
            await Expect(page.Locator(".mud-snackbar").Last).ToContainTextAsync("Keys rotate every 6 month(s).");
        }

        await using (var db = host.Database.CreateContext())
            Assert.Equal(6, db.Domains.Single(d => d.Name == domain).DkimRotationMonths);
        var overflow = await page.EvaluateAsync<int>("document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than the screen");
        await Browser.ScreenshotAsync(page, $"dkim-rotation-grace-{width}.png");
    }
}
