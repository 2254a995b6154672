using AdminConsole.Core;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Api;

/// <summary>
/// Turns the domain's refusals into RFC 9457 problem details: 400 with a field-level "errors" map,
/// 404, 409 (with the field), 412 for a stale If-Match, 502 when an engine node cannot answer. Every
/// refusal happened before anything was written.
/// </summary>
internal sealed class ApiProblems : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (DomainConflictException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                extensions: new Dictionary<string, object?> { ["errors"] = e.Errors });
        }
        catch (DomainValidationException e)
        {
            return TypedResults.ValidationProblem(e.Errors, detail: e.Message);
        }
        catch (DomainNotFoundException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        catch (Exception e) when (e is DomainVersionMismatchException or DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(
                e is DomainVersionMismatchException ? e.Message : "The object changed while it was being saved; read it again.",
                statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed");
        }
        catch (Core.Engine.EngineNodeException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway, title: "Engine node unavailable");
        }
    }
}

/// <summary>Paging parameters shared by list endpoints (offset pagination, RFC-style limits).</summary>
internal static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>The page asked for; refused (400, both fields named) when it is out of range.</summary>
    public static (int Offset, int Limit) Read(int? offset, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (offset is < 0) errors["offset"] = ["offset is 0 or more."];
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"limit is between 1 and {MaxLimit}."];
        if (errors.Count > 0) throw new DomainValidationException(errors);
        return (offset ?? 0, limit ?? DefaultLimit);
    }
}
