using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace AdminConsole.Web.Features.Api;

/// <summary>
/// A request the API cannot bind (malformed JSON, "limit=abc", "from=not-a-date") is a 400 with the
/// same field-level "errors" map as every other refusal (RFC 9457 problem details), naming the query
/// parameter or the JSON path that was wrong. Minimal APIs throw BadHttpRequestException for these
/// (RouteHandlerOptions.ThrowOnBadRequest), and this handler turns it into the problem.
/// </summary>
internal sealed partial class ApiBindingProblems : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad || context.Response.HasStarted) return false;
        var (field, message) = Describe(bad);
        context.Response.StatusCode = bad.StatusCode;
        await TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            detail: "The request could not be read.").ExecuteAsync(context);
        return true;
    }

    private static (string Field, string Message) Describe(BadHttpRequestException bad)
    {
        // "Failed to read parameter "DomainRequest request" from the request body as JSON."
        if (FindJson(bad) is { } json)
        {
            var path = json.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : "body";
            return (path, json.Path is { Length: > 1 } ? $"{path} has the wrong type or format." : "The body is not valid JSON.");
        }

        // "Failed to bind parameter "int? limit" from "abc"." / "Required parameter "string name" was not provided ..."
        var match = ParameterPattern().Match(bad.Message);
        if (match.Success)
        {
            var name = match.Groups["name"].Value;
            return (name, bad.Message.StartsWith("Required", StringComparison.Ordinal) ? $"{name} is required." : $"{name} has the wrong type or format.");
        }

        return ("request", "The request could not be read.");
    }

    private static JsonException? FindJson(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is JsonException json) return json;
        return null;
    }

    [GeneratedRegex("parameter \"(?<type>[^\" ]+) (?<name>[^\"]+)\"")]
    private static partial Regex ParameterPattern();
}
