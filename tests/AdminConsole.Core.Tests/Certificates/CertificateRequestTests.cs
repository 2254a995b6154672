using AdminConsole.Core.Certificates;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AdminConsole.Core.Tests.Certificates;

/// <summary>
/// What a dns-01 request needs before anything is stored: an RFC 2136 server on the domain's DNS page,
/// or the operator's hook; without either it is refused beside the names, and with the hook it is taken.
/// The directory URL points nowhere: the refusal comes before any CA is asked.
/// </summary>
public sealed class CertificateRequestTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static CertificateService Service(Data.AdminDbContext db, string? hook) => new(db, Microsoft.AspNetCore.DataProtection.DataProtectionProvider.Create("tests"),
        new Audit.AuditLog(db, TimeProvider.System), TimeProvider.System, Options.Create(new CertificateOptions { Dns01Hook = hook }),
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>());

    private static AcmeCertificateRequest Wildcard => new(["*.nowhere.test"], "dns-01", DirectoryUrl: "https://127.0.0.1:1/dir", AgreeToTerms: true);

    [Fact]
    public async Task A_dns01_request_without_an_RFC2136_server_or_a_hook_is_refused_beside_the_names_and_nothing_is_stored()
    {
        await using var db = database.CreateContext();
        var refused = await Assert.ThrowsAsync<DomainValidationException>(() => Service(db, hook: null).RequestAsync(Wildcard, "test"));
        var message = Assert.Single(refused.Errors["names"]);
        Assert.Contains("RFC 2136", message);
        Assert.Contains("Certificates:Dns01Hook", message);
        Assert.False(await db.ServerCertificates.AnyAsync(c => c.Names.Contains("*.nowhere.test")));
    }

    [Fact]
    public async Task With_a_hook_the_names_are_taken_and_the_CA_is_asked_next()
    {
        await using var db = database.CreateContext();
        // Past the names: the next step is the account at the CA, which is not there.
        var refused = await Assert.ThrowsAsync<DomainValidationException>(() => Service(db, hook: "/usr/local/bin/dns01-hook").RequestAsync(Wildcard, "test"));
        Assert.False(refused.Errors.ContainsKey("names"));
        Assert.True(refused.Errors.ContainsKey("directoryUrl"), refused.Message);
    }
}
