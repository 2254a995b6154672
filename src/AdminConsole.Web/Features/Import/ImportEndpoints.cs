using Microsoft.AspNetCore.Http.HttpResults;
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
    /// <summary>
    /// What an import did, or (<paramref name="DryRun"/>) would do: the rows read and each row's
    /// errors, and for an import the mailboxes created with any generated password (shown once).
    /// One shape for both, so a client reads one type whichever it asked for.
    /// </summary>
    public sealed record ImportReport(bool DryRun, int Rows, IReadOnlyList<MailboxImport.RowError> Errors, int Created, IReadOnlyList<MailboxImport.Imported> Mailboxes);


    public static void MapImportApi(this RouteGroupBuilder api) =>
        api.MapPost("/mailboxes/import", async Task<Results<Ok<ImportReport>, ProblemHttpResult>> (bool? dryRun, HttpRequest request, MailboxImport import, CancellationToken ct) =>
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
                return TypedResults.Ok(new ImportReport(true, plan.RowCount, plan.Errors, 0, []));
            }

            var created = await import.ImportAsync(csv, DomainEndpoints.Actor(request.HttpContext.User), DomainEndpoints.Remote(request.HttpContext), ct: ct);
            request.HttpContext.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new ImportReport(false, created.Count, [], created.Count, created));
        }).AddEndpointFilter<ApiProblems>().WithTags("Mailboxes").RequireAuthorization(ConsolePolicies.AdminWrite)
            .Accepts<string>("text/csv")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

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
