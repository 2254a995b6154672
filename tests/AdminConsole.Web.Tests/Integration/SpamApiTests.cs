using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AdminConsole.Core.Accounts;
using AdminConsole.Testing;
using MailEngine.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>/api/v1/domains/{domain}/spam and /api/v1/diagnostics/scanner (issue #7).</summary>
public sealed class SpamApiTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private static async Task<string> DomainAsync(HttpClient client)
    {
        var domain = $"s{Guid.NewGuid():N}"[..12] + ".test";
        (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{domain}}"}"""))).EnsureSuccessStatusCode();
        return domain;
    }

    private static JsonElement Rule(JsonElement view, string name) => view.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    [Fact]
    public async Task A_new_domain_has_the_default_thresholds_and_every_rule_with_GTUBE_locked()
    {
        using var client = await host.ApiClientAsync(ApiTokenScope.ReadWrite);
        var domain = await DomainAsync(client);
        var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/spam");
        Assert.True(view.GetProperty("enabled").GetBoolean());
        Assert.Equal((5.0, 6.0, 15.0), (view.GetProperty("headerThreshold").GetDouble(), view.GetProperty("junkThreshold").GetDouble(), view.GetProperty("rejectThreshold").GetDouble()));
        Assert.True(view.GetProperty("rules").GetArrayLength() > 300);
        Assert.True(Rule(view, "GTUBE").GetProperty("locked").GetBoolean());
        Assert.Equal("bayes", Rule(view, "BAYES_99").GetProperty("target").GetString());
        await ProblemAsync(await client.GetAsync("/api/v1/domains/nowhere.test/spam"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_thresholds_and_rule_changes_are_refused_with_the_field_and_change_nothing()
    {
        using var client = await host.ApiClientAsync(ApiTokenScope.ReadWrite);
        var domain = await DomainAsync(client);
        var problem = await ProblemAsync(await client.PutAsync($"/api/v1/domains/{domain}/spam", Json("""{"enabled":true,"headerThreshold":8,"junkThreshold":6,"rejectThreshold":2000}""")), HttpStatusCode.BadRequest);
        Assert.Contains("below the header threshold", problem.GetProperty("errors").GetProperty("junkThreshold")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("GTUBE", problem.GetProperty("errors").GetProperty("rejectThreshold")[0].GetString(), StringComparison.Ordinal);

        problem = await ProblemAsync(await client.PutAsync($"/api/v1/domains/{domain}/spam/rules/GTUBE", Json("""{"enabled":false}""")), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("rule", out _));
        problem = await ProblemAsync(await client.PutAsync($"/api/v1/domains/{domain}/spam/rules/SUBJ_FREE", Json("""{"enabled":true,"score":500}""")), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("score", out _));
        await ProblemAsync(await client.PutAsync($"/api/v1/domains/{domain}/spam/rules/NO_SUCH_RULE", Json("""{"enabled":false}""")), HttpStatusCode.NotFound);

        var view = await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/spam");
        Assert.Equal(5.0, view.GetProperty("headerThreshold").GetDouble());
        Assert.DoesNotContain(view.GetProperty("rules").EnumerateArray(), r => r.GetProperty("overridden").GetBoolean());

        using var reader = await host.ApiClientAsync(ApiTokenScope.Read);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsync($"/api/v1/domains/{domain}/spam/rules/SUBJ_FREE", Json("""{"enabled":false}"""))).StatusCode);
    }

    [Fact]
    public async Task Thresholds_and_overrides_are_audited_and_reach_the_engine_and_a_reset_removes_the_override()
    {
        const string tokenName = "spam-writer";
        using var client = await host.ApiClientAsync(tokenName: tokenName);
        var domain = await DomainAsync(client);
        (await client.PutAsync($"/api/v1/domains/{domain}/spam", Json("""{"enabled":true,"headerThreshold":4,"junkThreshold":7.5,"rejectThreshold":20}"""))).EnsureSuccessStatusCode();
        using var put = await client.PutAsync($"/api/v1/domains/{domain}/spam/rules/SUBJ_FREE", Json("""{"enabled":true,"score":3.5}"""));
        var view = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(put.IsSuccessStatusCode, view.ToString());
        Assert.Equal((3.5, 0.8, true), (Rule(view, "SUBJ_FREE").GetProperty("score").GetDouble(), Rule(view, "SUBJ_FREE").GetProperty("defaultScore").GetDouble(), Rule(view, "SUBJ_FREE").GetProperty("overridden").GetBoolean()));
        (await client.PutAsync($"/api/v1/domains/{domain}/spam/rules/BODY_KINDLY", Json("""{"enabled":false}"""))).EnsureSuccessStatusCode();

        var engine = host.Factory.Services.GetRequiredService<MailEngineHost>();
        await host.WaitForEngineAsync(s => s.SpamPolicy("x@" + domain) is { Overrides.Count: >= 2, JunkThreshold: 7.5 }, "The engine did not get the domain's spam settings");
        var policy = engine.Snapshots.Current.SpamPolicy("x@" + domain);

        Assert.Equal((4.0, 20.0), (policy.HeaderThreshold, policy.RejectThreshold));
        Assert.Equal(new MailEngine.Contracts.SpamRuleOverride(true, 3.5), policy.Overrides["SUBJ_FREE"]);
        Assert.False(policy.Overrides["BODY_KINDLY"].Enabled);

        var reset = await (await client.DeleteAsync($"/api/v1/domains/{domain}/spam/rules/SUBJ_FREE")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0.8, false), (Rule(reset, "SUBJ_FREE").GetProperty("score").GetDouble(), Rule(reset, "SUBJ_FREE").GetProperty("overridden").GetBoolean()));

        var audit = await client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?actor=token:{tokenName}");
        var actions = audit.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()).ToList();
        Assert.Equal(["spam.rule.reset", "spam.rule", "spam.rule", "spam.thresholds"], actions.Take(4));
        // The domain and its DKIM keys are made in one save: their order within it is not the point.
        Assert.Equal(["dkim.keys-created", "domain.created"], actions.Skip(4).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_scanner_diagnostics_report_the_tier_the_rules_and_a_self_test_where_every_tier_agrees()
    {
        using var client = await host.ApiClientAsync(ApiTokenScope.Read);
        // The rules compile in the background after the engine starts; until then the state says so.
        var report = await client.GetFromJsonAsync<JsonElement>("/api/v1/diagnostics/scanner");
        for (var deadline = DateTime.UtcNow.AddMinutes(3); report.GetProperty("state").GetString() == "compiling" && DateTime.UtcNow < deadline; await Task.Delay(50))
            report = await client.GetFromJsonAsync<JsonElement>("/api/v1/diagnostics/scanner");
        Assert.Equal("ready", report.GetProperty("state").GetString());
        Assert.Equal("native", report.GetProperty("tier").GetString());
        Assert.Equal("Hyperscan", report.GetProperty("library").GetProperty("kind").GetString());
        Assert.True(report.GetProperty("library").GetProperty("validPlatform").GetBoolean());
        Assert.True(report.GetProperty("cpu").GetProperty("intrinsics").GetProperty("SSSE3").GetBoolean());
        Assert.Contains("ssse3", report.GetProperty("cpu").GetProperty("procFlags").EnumerateArray().Select(f => f.GetString()));
        var rules = report.GetProperty("rules");
        var byPlacement = rules.GetProperty("byPlacement");
        Assert.Equal(rules.GetProperty("total").GetInt32(), byPlacement.GetProperty("Hyperscan").GetInt32() + byPlacement.GetProperty("Prefilter").GetInt32() + byPlacement.GetProperty("ManagedOnly").GetInt32());
        Assert.True(byPlacement.GetProperty("Prefilter").GetInt32() > 0);
        Assert.StartsWith("Version: 5.4.0 Features: ", rules.GetProperty("databaseInfo").GetString(), StringComparison.Ordinal);
        Assert.True(rules.GetProperty("databaseBytes").GetInt64() > 10_000);

        // Read access cannot run the self-test or force a tier.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/v1/diagnostics/scanner/selftest", null)).StatusCode);
        using var writer = await host.ApiClientAsync(ApiTokenScope.ReadWrite);
        var selfTest = await (await writer.PostAsync("/api/v1/diagnostics/scanner/selftest", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["Native", "Ssse3Baseline", "Managed"], selfTest.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("tier").GetString()));
        Assert.All(selfTest.GetProperty("tiers").EnumerateArray(), t => Assert.True(t.GetProperty("messagesPerSecond").GetDouble() > 0));
        Assert.True(selfTest.GetProperty("agree").GetBoolean(), selfTest.ToString());
        Assert.Equal(0, selfTest.GetProperty("expectationFailures").GetArrayLength());
    }

    [Fact]
    public async Task Forcing_a_tier_is_audited_and_takes_effect_and_bad_names_are_refused()
    {
        const string tokenName = "tier-forcer";
        using var client = await host.ApiClientAsync(tokenName: tokenName);
        var problem = await ProblemAsync(await client.PutAsync("/api/v1/diagnostics/scanner/tier", Json("""{"tier":"turbo"}""")), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("tier", out _));

        var forced = await (await client.PutAsync("/api/v1/diagnostics/scanner/tier", Json("""{"tier":"ssse3"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("ssse3", "ssse3"), (forced.GetProperty("tier").GetString(), forced.GetProperty("forcedTier").GetString()));
        Assert.Equal("Version: 5.4.0 Features:  Mode: BLOCK", forced.GetProperty("rules").GetProperty("databaseInfo").GetString()); // no CPU features
        var managed = await (await client.PutAsync("/api/v1/diagnostics/scanner/tier", Json("""{"tier":"managed"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("managed", "forced by an administrator"), (managed.GetProperty("tier").GetString(), managed.GetProperty("reason").GetString()));
        var auto = await (await client.PutAsync("/api/v1/diagnostics/scanner/tier", Json("""{"tier":"auto"}"""))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("native", auto.GetProperty("tier").GetString());
        Assert.Equal(JsonValueKind.Null, auto.GetProperty("forcedTier").ValueKind);

        var audit = await client.GetFromJsonAsync<JsonElement>($"/api/v1/audit?actor=token:{tokenName}");
        Assert.Equal(["scanner.tier", "scanner.tier", "scanner.tier"], audit.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()));
    }
}
