using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Core.Dkim;
using AdminConsole.Core.Dns;
using AdminConsole.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// DKIM key rotation against a real BIND 9, on a fake clock for the rotation's steps (the engine signs
/// on the real one): a message signed at every step verifies with dkimpy asking BIND, with RFC 2136
/// publishing and with the admin publishing by hand.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DkimRotationTests(DnsCheckHost host) : IClassFixture<DnsCheckHost>
{
    private static readonly string Secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static string Zone(string domain, string extra = "") =>
        $"$ORIGIN {domain}.\n$TTL 300\n@ IN SOA ns1.{domain}. hostmaster.{domain}. 1 3600 600 86400 300\n@ IN NS ns1.{domain}.\nns1 IN A 127.0.0.1\n{extra}";

    /// <summary>One rotation call in a scope of its own (as one request is), with the fake clock.</summary>
    private async Task<DkimRotationResult> StepAsync(TimeProvider clock, Func<DkimRotation, Task<DkimRotationResult>> step)
    {
        using var scope = host.Factory.Services.CreateScope();
        var rotation = ActivatorUtilities.CreateInstance<DkimRotation>(scope.ServiceProvider, clock);
        return await step(rotation);
    }

    private async Task<string[]> SelectorsSigningAsync(string domain)
    {
        await using var db = host.Database.CreateContext();
        return await db.DkimKeys.Where(k => k.Domain!.Name == domain && k.State == DkimKeyState.Active).OrderBy(k => k.Selector).Select(k => k.Selector).ToArrayAsync();
    }

    private Task WaitUntilEngineSignsWithAsync(string domain, string[] selectors) =>
        host.WaitForEngineAsync(s => s.Domain(domain)?.DkimKeys?.Select(k => k.Selector).Order(StringComparer.Ordinal).SequenceEqual(selectors) == true,
            $"The engine does not sign {domain} with {string.Join(", ", selectors)}");

    /// <summary>Sends a message and asserts both signatures verify against what BIND serves now, with the selectors expected.</summary>
    private async Task<string> SendVerifiedAsync(string address, string subject, string[] selectors)
    {
        var file = await SignedMail.SubmitToSelfAsync(host, address, "rotating password", subject);
        await AssertVerifiesAsync(file, selectors);
        return file;
    }

    private async Task AssertVerifiesAsync(string file, string[] selectors)
    {
        var lines = await SignedMail.VerifyAsync(file, $"dns:{host.Bind.Endpoint}");
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.EndsWith(" pass", l, StringComparison.Ordinal));
        Assert.Equal(selectors, lines.Select(l => l.Split(' ')[2]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task With_RFC_2136_every_message_signed_during_a_rotation_verifies_and_the_old_selector_goes_after_the_grace_period()
    {
        using var client = await host.ApiClientAsync();
        const string domain = "rotate.test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v1/mailboxes", Json($$"""{"address":"kim@{{domain}}","password":"rotating password"}"""))).EnsureSuccessStatusCode();
        await host.Bind.StartAsync(new Dictionary<string, string> { [domain] = Zone(domain) }, ("console-key", Secret));
        (await client.PutAsync($"/api/v1/domains/{domain}/dns/publisher", Json($$"""{"server":"{{host.Bind.Endpoint}}","keyName":"console-key","secret":"{{Secret}}"}"""))).EnsureSuccessStatusCode();
        (await client.PostAsync($"/api/v1/domains/{domain}/dns/publish", null)).EnsureSuccessStatusCode();

        var old = await SelectorsSigningAsync(domain);
        await WaitUntilEngineSignsWithAsync(domain, old);
        var before = await SendVerifiedAsync($"kim@{domain}", "before the rotation", old);

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var started = await StepAsync(clock, r => r.StartAsync(domain, "test", null));
        Assert.Equal(DkimRotationStep.Publishing, started.Status.Step);
        Assert.Contains(started.Done, d => d.Contains("Published 2 record(s) by RFC 2136", StringComparison.Ordinal));
        var api = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dkim");
        var next = api.GetProperty("keys").EnumerateArray().Where(k => k.GetProperty("state").GetString() == "pending").Select(k => k.GetProperty("selector").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, next.Length);
        Assert.Equal("publishing", api.GetProperty("rotation").GetProperty("step").GetString());

        // A second start while one is under way is refused, and changes nothing.
        await ProblemAsync(await client.PostAsync($"/api/v1/domains/{domain}/dkim/rotation", null), HttpStatusCode.Conflict);

        // The new records are out, signing has not switched: mail still carries the old selectors.
        await SendVerifiedAsync($"kim@{domain}", "new keys published, not signing yet", old);

        var switched = await StepAsync(clock, r => r.AdvanceAsync(domain, "test", null));
        Assert.Equal(DkimRotationStep.Grace, switched.Status.Step);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromDays(7), switched.Status.Due);
        Assert.Equal(next, await SelectorsSigningAsync(domain));
        await WaitUntilEngineSignsWithAsync(domain, next);
        await SendVerifiedAsync($"kim@{domain}", "signed with the new keys", next);
        await AssertVerifiesAsync(before, old); // mail in flight still verifies: the old records are still there

        // Six days on: still in the grace period, nothing moves.
        clock.Advance(TimeSpan.FromDays(6));
        var waiting = await StepAsync(clock, r => r.AdvanceAsync(domain, "test", null));
        Assert.Empty(waiting.Done);
        Assert.Equal(DkimRotationStep.Grace, waiting.Status.Step);
        await AssertVerifiesAsync(before, old);

        // Past seven days: retired, their records deleted by RFC 2136, the keys destroyed.
        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var retired = await StepAsync(clock, r => r.AdvanceAsync(domain, "test", null));
        Assert.Equal(DkimRotationStep.Idle, retired.Status.Step);
        Assert.Contains(retired.Done, d => d.Contains("Deleted 2 record(s) by RFC 2136", StringComparison.Ordinal));
        Assert.Contains(retired.Done, d => d.Contains("destroyed", StringComparison.Ordinal));
        await using (var db = host.Database.CreateContext())
        {
            Assert.Equal(next, await db.DkimKeys.Where(k => k.Domain!.Name == domain).OrderBy(k => k.Selector).Select(k => k.Selector).ToArrayAsync());
            var actions = await db.AuditEvents.Where(e => e.Target == $"domain:{domain}" && e.Action.StartsWith("dkim.")).Select(e => e.Action).ToListAsync();
            Assert.Equal(["dkim.keys-activated", "dkim.keys-created", "dkim.keys-removed", "dkim.keys-retired", "dkim.rotation-started"], actions.Order(StringComparer.Ordinal));
        }

        var txt = new DnsClient.LookupClient(new DnsClient.LookupClientOptions(new DnsClient.NameServer(IPAddress.Loopback, host.Bind.Port)) { UseCache = false });
        foreach (var selector in old) Assert.Empty((await txt.QueryAsync($"{selector}._domainkey.{domain}", DnsClient.QueryType.TXT)).Answers.TxtRecords());
        await SendVerifiedAsync($"kim@{domain}", "after the rotation", next);
        var lines = await SignedMail.VerifyAsync(before, $"dns:{host.Bind.Endpoint}");
        Assert.All(lines, l => Assert.EndsWith(" fail", l, StringComparison.Ordinal)); // the old selectors are really gone
    }

    [Fact]
    public async Task Published_by_hand_signing_waits_for_every_record_and_a_retired_record_is_shown_for_deletion_until_it_is_gone()
    {
        using var client = await host.ApiClientAsync();
        const string domain = "byhand.test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        string KeyRecords(JsonElement dkim, Func<string, bool> state) => string.Concat(dkim.GetProperty("keys").EnumerateArray().Where(k => state(k.GetProperty("state").GetString()!))
            .Select(k => $"{k.GetProperty("recordName").GetString()}. IN TXT {ZoneFile.Quoted(k.GetProperty("recordValue").GetString()!)}\n"));
        var first = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dkim");
        await host.Bind.StartAsync(new Dictionary<string, string> { [domain] = Zone(domain, KeyRecords(first, _ => true)) });
        var old = await SelectorsSigningAsync(domain);

        // The schedule: every month; bad input is refused beside its field.
        var bad = await ProblemAsync(await client.PutAsync($"/api/v1/domains/{domain}/dkim/rotation/schedule", Json("""{"everyMonths":99}""")), HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("everyMonths", out _));
        var scheduled = await (await client.PutAsync($"/api/v1/domains/{domain}/dkim/rotation/schedule", Json("""{"everyMonths":1}"""))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, scheduled.GetProperty("rotation").GetProperty("everyMonths").GetInt32());
        var due = scheduled.GetProperty("rotation").GetProperty("due").GetDateTimeOffset();

        // The hourly job starts the rotation once the schedule is due, not before.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        async Task RunJobAsync()
        {
            using var scope = host.Factory.Services.CreateScope();
            var rotation = ActivatorUtilities.CreateInstance<DkimRotation>(scope.ServiceProvider, clock);
            await ActivatorUtilities.CreateInstance<DkimRotationJob>(scope.ServiceProvider, clock, rotation).RunAsync(CancellationToken.None);
        }

        await RunJobAsync();
        Assert.Equal("idle", (await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dkim")).GetProperty("rotation").GetProperty("step").GetString());
        clock.SetUtcNow(due + TimeSpan.FromMinutes(1));
        await RunJobAsync();
        var publishing = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dkim");
        Assert.Equal("publishing", publishing.GetProperty("rotation").GetProperty("step").GetString());
        Assert.Contains("Publish the TXT records", publishing.GetProperty("rotation").GetProperty("next").GetString(), StringComparison.Ordinal);

        // Only the RSA record published: signing does not switch for either key.
        var pendingRsa = publishing.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("state").GetString() == "pending" && k.GetProperty("algorithm").GetString() == "rsa-sha256");
        await host.Bind.StartAsync(new Dictionary<string, string>
        {
            [domain] = Zone(domain, KeyRecords(first, _ => true) + $"{pendingRsa.GetProperty("recordName").GetString()}. IN TXT {ZoneFile.Quoted(pendingRsa.GetProperty("recordValue").GetString()!)}\n"),
        });
        var half = await StepAsync(clock, r => r.AdvanceAsync(domain, "test", null));
        Assert.Empty(half.Done);
        Assert.Equal(DkimRotationStep.Publishing, half.Status.Step);
        Assert.Equal(old, await SelectorsSigningAsync(domain));

        // Both published: signing switches.
        await host.Bind.StartAsync(new Dictionary<string, string> { [domain] = Zone(domain, KeyRecords(publishing, _ => true)) });
        var switched = await StepAsync(clock, r => r.AdvanceAsync(domain, "test", null));
        Assert.Equal(DkimRotationStep.Grace, switched.Status.Step);
        var next = await SelectorsSigningAsync(domain);
        Assert.DoesNotContain(next, old.Contains);

        // After the grace period: retired; the records are shown for deletion (and left out of the zone export) while BIND still has them.
        clock.Advance(TimeSpan.FromDays(8));
        var retired = await StepAsync(clock, r => r.AdvanceAsync(domain, "test", null));
        Assert.Equal(DkimRotationStep.Removing, retired.Status.Step);
        Assert.Contains("delete their TXT records", retired.Status.Next, StringComparison.Ordinal);
        var dns = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns");
        var obsolete = dns.GetProperty("records").EnumerateArray().Where(r => r.GetProperty("obsolete").GetBoolean()).ToList();
        Assert.Equal(old.Select(s => $"{s}._domainkey.{domain}").Order(StringComparer.Ordinal), obsolete.Select(r => r.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(obsolete, r => Assert.Equal("present", r.GetProperty("status").GetString()));
        var zone = await client.GetStringAsync($"/api/v1/domains/{domain}/dns/zone");
        foreach (var selector in old) Assert.Contains($"; delete: {selector}._domainkey.{domain}.", zone, StringComparison.Ordinal);
        Assert.True(dns.GetProperty("check").GetProperty("broken").GetInt32() > 0);

        // The admin deletes them: the keys are destroyed, the rotation is over.
        await host.Bind.StartAsync(new Dictionary<string, string> { [domain] = Zone(domain, KeyRecords(publishing, s => s == "pending")) });
        var done = await StepAsync(clock, r => r.AdvanceAsync(domain, "test", null));
        Assert.Equal(DkimRotationStep.Idle, done.Status.Step);
        Assert.Equal(next, await SelectorsSigningAsync(domain));
        var after = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns");
        Assert.DoesNotContain(after.GetProperty("records").EnumerateArray(), r => r.GetProperty("obsolete").GetBoolean());
    }
}
