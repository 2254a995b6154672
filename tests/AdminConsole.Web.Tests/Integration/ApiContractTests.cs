using System.Net;
using System.Text.Json.Nodes;
using AdminConsole.Testing;
using static AdminConsole.Testing.ApiTesting;

namespace AdminConsole.Web.Tests.Integration;

/// <summary>
/// /openapi/v1.json as a client generator reads it: every operation has its success schema, its
/// problem-details errors and the bearer scheme, request bodies have examples; and the contract
/// check that every API test runs through (ApiContractHandler) really refuses what the document
/// does not say.
/// </summary>
public sealed class ApiContractTests(ConsoleHost host) : IClassFixture<ConsoleHost>
{
    private async Task<JsonObject> DocumentAsync() => (await host.Factory.ContractAsync()).Document;

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    [Fact]
    public async Task Every_operation_describes_its_success_and_its_problem_details_and_asks_for_the_bearer_token()
    {
        var document = await DocumentAsync();
        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("http", document["components"]!["securitySchemes"]!["bearer"]!["type"]!.GetValue<string>());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
        Assert.True(document["security"]![0]!.AsObject().ContainsKey("bearer"));

        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 50, $"only {operations.Count} operations");
        var missing = new List<string>();
        foreach (var (path, method, operation) in operations)
        {
            var responses = operation["responses"]!.AsObject();
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            if (success.Count == 0) missing.Add($"{method} {path}: no success response");
            foreach (var (status, response) in success)
            {
                if (status == "204") continue;
                var content = response!["content"]?.AsObject();
                if (content is null || content.Count == 0) missing.Add($"{method} {path} {status}: no content");
                else if (content.TryGetPropertyValue("application/json", out var json) && json!["schema"] is null) missing.Add($"{method} {path} {status}: no schema");
            }

            foreach (var status in new[] { "400", "401", "403" })
            {
                var schema = responses[status]?["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>();
                if (schema is null || !schema.EndsWith(status == "400" ? "/HttpValidationProblemDetails" : "/ProblemDetails", StringComparison.Ordinal))
                    missing.Add($"{method} {path} {status}: {schema ?? "no problem details"}");
            }

            if (path.Contains('{') && responses["404"] is null) missing.Add($"{method} {path}: no 404");
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));

        // Each operation has a name of its own for generated clients.
        var ids = operations.Select(o => o.Operation["operationId"]?.GetValue<string>()).ToList();
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("GetDomainsByNameDkim", ids);
    }

    [Theory]
    [InlineData("/api/v1/domains", "post", "name")]
    [InlineData("/api/v1/mailboxes", "post", "address")]
    [InlineData("/api/v1/groups", "post", "members")]
    [InlineData("/api/v1/mailboxes/{address}/vacation", "put", "enabled")]
    [InlineData("/api/v1/mailboxes/{address}/sieve", "put", "script")]
    [InlineData("/api/v1/admins", "post", "email")]
    public async Task Request_bodies_carry_an_example_a_client_can_start_from(string path, string method, string field)
    {
        var document = await DocumentAsync();
        var example = document["paths"]![path]![method]!["requestBody"]!["content"]!["application/json"]!["example"];
        Assert.NotNull(example);
        Assert.True(example!.AsObject().ContainsKey(field), example.ToJsonString());
    }

    [Fact]
    public async Task The_contract_check_refuses_a_body_a_status_and_an_operation_the_document_does_not_describe()
    {
        var contract = await host.Factory.ContractAsync();
        Assert.Null(contract.Check("GET", "/api/v1/domains", 200, "application/json", """{"items":[],"total":0,"offset":0,"limit":50}"""));
        var wrongBody = contract.Check("GET", "/api/v1/domains", 200, "application/json", """{"items":"none","total":"zero","offset":0,"limit":50}""");
        Assert.Contains("does not match the document's schema", wrongBody, StringComparison.Ordinal);
        Assert.Contains("/items", wrongBody, StringComparison.Ordinal);
        Assert.Contains("does not list", contract.Check("GET", "/api/v1/domains", 418, "application/json", "{}"), StringComparison.Ordinal);
        Assert.Contains("no such operation", contract.Check("PUT", "/api/v1/overview", 200, "application/json", "{}"), StringComparison.Ordinal);
        // A problem answer must be a problem document.
        Assert.Null(contract.Check("GET", "/api/v1/domains/x.example", 404, "application/problem+json", """{"title":"Not found","status":404,"detail":"No domain x.example."}"""));
        Assert.NotNull(contract.Check("GET", "/api/v1/domains/x.example", 404, "application/problem+json", """{"title":404}"""));
    }

    /// <summary>Kiota (the repository's local tool, dotnet-tools.json) reads the document and writes a C# client for it.</summary>
    [Fact]
    public async Task Kiota_generates_a_CSharp_client_from_the_document()
    {
        var document = await DocumentAsync();
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "dotnet-tools.json"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no dotnet-tools.json above the tests");
        var work = Directory.CreateTempSubdirectory("kiota").FullName;
        try
        {
            var file = Path.Combine(work, "openapi.json");
            await File.WriteAllTextAsync(file, document.ToJsonString());
            var output = Path.Combine(work, "client");
            // No update check: the machines have no way to GitHub, and the answer is not the test's business.
            var offline = new Dictionary<string, string> { ["KIOTA_OFFLINE_ENABLED"] = "true" };
            var run = await ExternalProgram.RunInAsync(root, TimeSpan.FromMinutes(10), offline, "dotnet", "kiota", "generate", "--language", "CSharp", "--openapi", file, "--output", output,
                "--class-name", "MailAdminClient", "--namespace-name", "MailAdmin.Client", "--log-level", "Warning", "--exclude-backward-compatible");
            Assert.True(run.ExitCode == 0, run.Output + run.Errors);
            // Kiota names what it could not understand in the document as warnings: none.
            Assert.True(!(run.Output + run.Errors).Contains("warn", StringComparison.OrdinalIgnoreCase), run.Output + run.Errors);
            var generated = Directory.GetFiles(output, "*.cs", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(output, f).Replace('\\', '/')).ToList();
            Assert.Contains("MailAdminClient.cs", generated);
            Assert.Contains(generated, f => f.EndsWith("Domains/Item/Dkim/DkimRequestBuilder.cs", StringComparison.Ordinal));
            // The response types are real classes, not untyped JSON: the schemas reached the generator.
            Assert.Contains(generated, f => f.EndsWith("Models/GroupResource.cs", StringComparison.Ordinal));
            Assert.Contains(generated, f => f.EndsWith("Models/HttpValidationProblemDetails.cs", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Real_answers_pass_the_check_a_success_and_each_kind_of_refusal()
    {
        using var client = await host.ApiClientAsync();
        var name = $"c{Guid.NewGuid():N}"[..12] + ".test";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{name}}"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/v1/domains", Json($$"""{"name":"{{name}}"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/domains?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/domains/nowhere.example")).StatusCode);
        using var anonymous = host.Factory.CreateHttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/domains")).StatusCode);
        using var reader = await host.ApiClientAsync(Core.Accounts.ApiTokenScope.Read);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync($"/api/v1/domains/{name}")).StatusCode);
    }
}
