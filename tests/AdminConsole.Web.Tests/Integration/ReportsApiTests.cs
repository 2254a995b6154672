using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Core.Engine;
using AdminConsole.Core.Reports;
using AdminConsole.Testing;
using MailEngine.Auth;
using MailEngine.Hosting;
using MailEngine.Smtp;
using Microsoft.Extensions.DependencyInjection;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// Reports in through the console (issue #16 item 8): report mail sent over SMTP to a domain's
/// dmarc-reports@ and tls-reports@ is read by the engine, imported once by the job (a second run adds
/// nothing), and GET /domains/{name}/reports totals it: pass and fail, the top sources, what a stricter
/// policy would do, the TLS sessions, and the message that was no report with its reason.
/// </summary>
public sealed class ReportsApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private MailEngineHost Engine => host.Factory.Services.GetRequiredService<MailEngineHost>();

    [Fact]
    public async Task Reports_sent_to_the_report_addresses_are_imported_once_and_totalled_per_domain()
    {
        var domain = $"r{Guid.NewGuid():N}"[..12] + ".test";
        await host.Database.SeedAsync(domain, new MailboxSeed("dmarc-reports", PasswordHash: MailPasswordHasher.Hash("reports-password-1")), new MailboxSeed("tls-reports", PasswordHash: MailPasswordHasher.Hash("reports-password-1")));
        host.Factory.Services.GetRequiredService<EnginePushScheduler>().Request();
        await host.WaitForEngineAsync(s => s.Mailbox($"tls-reports@{domain}") is not null, $"The engine never learnt {domain}");

        var mx = Engine.Endpoints[ListenerKind.Mx];
        await ReportMail.SendAsync(mx, ReportMail.Aggregate(domain));
        await ReportMail.SendAsync(mx, ReportMail.Aggregate(domain)); // the same report sent again: counted once
        await ReportMail.SendAsync(mx, ReportMail.Tls(domain));
        await ReportMail.SendAsync(mx, ReportMail.NotAReport(domain));

        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            var job = scope.ServiceProvider.GetRequiredService<ReportImportJob>();
            Assert.Equal(3, await job.RunAsync(CancellationToken.None));
            Assert.Equal(0, await job.RunAsync(CancellationToken.None));
        }

        using var api = await host.ApiClientAsync(AdminConsole.Core.Accounts.ApiTokenScope.Read);
        var view = await api.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/reports?days=7");
        Assert.Equal((ReportMail.Passing + ReportMail.Failing, ReportMail.Passing, ReportMail.Failing),
            (view.GetProperty("messages").GetInt64(), view.GetProperty("pass").GetInt64(), view.GetProperty("fail").GetInt64()));
        var sources = view.GetProperty("sources").EnumerateArray().ToList();
        Assert.Equal([ReportMail.GoodSource, ReportMail.BadSource], sources.Select(s => s.GetProperty("sourceIp").GetString()));
        Assert.Equal((ReportMail.Passing, ReportMail.Passing, 0L), (sources[0].GetProperty("messages").GetInt64(), sources[0].GetProperty("dkimAligned").GetInt64(), sources[0].GetProperty("fail").GetInt64()));
        Assert.Equal("google.com", sources[1].GetProperty("reporters")[0].GetString());
        Assert.Single(view.GetProperty("reports").EnumerateArray());
        Assert.Contains("3 failing messages from 1 source would go to Junk", view.GetProperty("impact").GetProperty("quarantine").GetString(), StringComparison.Ordinal);
        var tls = Assert.Single(view.GetProperty("tls").EnumerateArray().ToList());
        Assert.Equal((5326L, 303L), (tls.GetProperty("successes").GetInt64(), tls.GetProperty("failures").GetInt64()));
        var refused = Assert.Single(view.GetProperty("refused").EnumerateArray().ToList());
        Assert.StartsWith("report refused: the message has no gzip, zip, XML or JSON part", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // The messages themselves were delivered like any other.
        Assert.Equal(3, Directory.GetFiles(Path.Combine(Engine.Maildirs.MaildirPath($"dmarc-reports@{domain}"), "new")).Length);

        var bad = await ApiTesting.ProblemAsync(await api.GetAsync($"/api/v1/domains/{domain}/reports?days=0"), HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("days", out _));
        await ApiTesting.ProblemAsync(await api.GetAsync("/api/v1/domains/nowhere.test/reports"), HttpStatusCode.NotFound);
    }
}
