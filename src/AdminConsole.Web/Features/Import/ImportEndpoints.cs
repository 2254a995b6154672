using AdminConsole.Core.Import;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;

namespace AdminConsole.Web.Features.Import;

/// <summary>
/// POST /api/v1/mailboxes/import (body text/csv): ?dryRun=true reports every row's errors and writes
/// nothing; without it the file is imported all-or-nothing and generated passwords come back once.
/// </summary>
internal static class ImportEndpoints
{
    public sealed record DryRun(int Rows, IReadOnlyList<MailboxImport.RowError> Errors);

    public sealed record ImportResult(int Created, IReadOnlyList<MailboxImport.Imported> Mailboxes);

    public static void MapImportApi(this RouteGroupBuilder api) =>
        api.MapPost("/mailboxes/import", async Task<IResult> (bool? dryRun, HttpRequest request, MailboxImport import, CancellationToken ct) =>
        {
            if (request.ContentType is not { } type || !type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
                return TypedResults.Problem("Send the file as text/csv.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");
            if (request.ContentLength > MailboxImport.MaxBytes)
                return TypedResults.Problem($"The file is larger than {MailboxImport.MaxBytes / 1024 / 1024} MiB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");
            var csv = await ReadAsync(request, ct);
            if (csv is null)
                return TypedResults.Problem($"The file is larger than {MailboxImport.MaxBytes / 1024 / 1024} MiB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");

            if (dryRun == true)
            {
                var plan = await import.CheckAsync(csv, ct);
                return TypedResults.Ok(new DryRun(plan.RowCount, plan.Errors));
            }

            var created = await import.ImportAsync(csv, DomainEndpoints.Actor(request.HttpContext.User), DomainEndpoints.Remote(request.HttpContext), ct: ct);
            request.HttpContext.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new ImportResult(created.Count, created));
        }).AddEndpointFilter<ApiProblems>().WithTags("Mailboxes").RequireAuthorization(ConsolePolicies.AdminWrite);

    /// <summary>The body as text, or null past <see cref="MailboxImport.MaxBytes"/> characters (a chunked upload has no length to check first).</summary>
    private static async Task<string?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8);
        var text = new System.Text.StringBuilder();
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer, ct)) > 0)
        {
            if (text.Length + read > MailboxImport.MaxBytes) return null;
            text.Append(buffer, 0, read);
        }

        return text.ToString();
    }
}
