using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Pointer;
using Json.Schema;

namespace AdminConsole.Testing;

/// <summary>
/// The console's OpenAPI document (/openapi/v1.json) as a contract: every /api/v1 response a test
/// client receives must be an operation the document lists, with a status code it lists, and a
/// JSON body its schema accepts (JSON Schema 2020-12, as OpenAPI 3.1 writes it). So the document a
/// client generator reads and what the API does cannot drift apart: a test that gets an answer the
/// document does not describe fails there, naming the operation and what did not match.
/// </summary>
public sealed class ApiContract
{
    private static readonly Uri DocumentUri = new("https://console.test/openapi/v1.json");

    private readonly JsonObject _document;
    private readonly List<(string Method, Regex Path, string Template)> _operations = [];
    private readonly EvaluationOptions _options;

    public ApiContract(JsonObject document)
    {
        _document = document;
        // Each options object has a registry of its own: this document is known to these evaluations only.
        _options = new EvaluationOptions { OutputFormat = OutputFormat.List };
        _options.SchemaRegistry.Register(new JsonNodeBaseDocument(document, DocumentUri));
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            // "/api/v1/domains/{name}" matches one path segment per route value.
            var pattern = "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^/]+?\}", "[^/]+") + "$";
            foreach (var (method, _) in item!.AsObject())
                if (method is "get" or "put" or "post" or "delete" or "patch") _operations.Add((method.ToUpperInvariant(), new Regex(pattern), template));
        }
    }

    public JsonObject Document => _document;

    /// <summary>Null when the answer is what the document says, else why it is not.</summary>
    public string? Check(string method, string path, int status, string? contentType, string body)
    {
        var candidates = _operations.Where(o => o.Method == method && o.Path.IsMatch(path)).ToList();
        // A literal segment wins over a route value ("/groups/preview" over "/groups/{address}").
        var operation = candidates.OrderBy(o => o.Template.Count(c => c == '{')).FirstOrDefault();
        if (operation.Template is null) return $"{method} {path}: no such operation in the document";

        var where = $"{method} {operation.Template} answered {status}";
        var responses = _document["paths"]![operation.Template]![method.ToLowerInvariant()]!["responses"]!.AsObject();
        var key = responses.ContainsKey(status.ToString(System.Globalization.CultureInfo.InvariantCulture)) ? status.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : responses.ContainsKey("default") ? "default" : null;
        if (key is null) return $"{where}, which the document does not list (it lists {string.Join(", ", responses.Select(r => r.Key))})";

        var media = MediaType(contentType);
        if (media is null || body.Length == 0) return null;
        if (responses[key]!["content"] is not JsonObject content || content.Count == 0) return $"{where} with a {media} body the document does not describe";
        var contentKey = content.ContainsKey(media) ? media : media == "application/problem+json" && content.ContainsKey("application/json") ? "application/json" : null;
        if (contentKey is null) return $"{where} with {media}; the document has {string.Join(", ", content.Select(c => c.Key))}";
        if (!media.EndsWith("json", StringComparison.Ordinal) || content[contentKey]!["schema"] is null) return null;

        var pointer = JsonPointer.Create("paths", operation.Template, method.ToLowerInvariant(), "responses", key, "content", contentKey, "schema");
        var schema = JsonSchema.FromText($$"""{"$ref":"{{DocumentUri}}#{{pointer}}"}""");
        var results = schema.Evaluate(JsonNode.Parse(body), _options);
        if (results.IsValid) return null;
        var errors = results.Details.Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value} (schema {d.EvaluationPath})")).Take(8);
        return $"{where}: the body does not match the document's schema: {string.Join("; ", errors)}\n{Clip(body)}";
    }

    private static string? MediaType(string? contentType) =>
        contentType is null ? null : MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType : null;

    private static string Clip(string body) => body.Length <= 600 ? body : body[..600] + "…";
}

/// <summary>Checks each /api/v1 answer against the <see cref="ApiContract"/> before the test sees it; a mismatch fails the request.</summary>
public sealed class ApiContractHandler(Func<Task<ApiContract>> contract) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        if (!path.StartsWith("/api/v1/", StringComparison.Ordinal) && path != "/api/v1") return response;

        // The body is read here and put back, so the test reads it as sent.
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = response.Content.Headers.ToList();
        var body = System.Text.Encoding.UTF8.GetString(bytes);
        var problem = (await contract()).Check(request.Method.Method, path, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body);
        if (problem is not null) throw new ApiContractException(problem);

        var copy = new ByteArrayContent(bytes);
        foreach (var (name, values) in headers) copy.Headers.TryAddWithoutValidation(name, values);
        response.Content = copy;
        return response;
    }
}

/// <summary>An answer of the API that its OpenAPI document does not describe.</summary>
public sealed class ApiContractException(string message) : Exception(message);
