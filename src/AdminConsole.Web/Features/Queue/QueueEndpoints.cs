using AdminConsole.Core.Queue;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;
using MailEngine.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AdminConsole.Web.Features.Queue;

internal static class QueueEndpoints
{
    public static void MapQueueApi(this RouteGroupBuilder api)
    {
        var queue = api.MapGroup("/queue").AddEndpointFilter<ApiProblems>().WithTags("Queue");
        queue.MapGet("", async (string? domain, string? state, MailQueueService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(domain, state, ct)))
            .WithSummary("Every engine node's queued messages, oldest first: sender, recipients with their last remote reply, size, age, attempts, next attempt (domain=, state=deferred|active).");
        queue.MapPost("/{node}/{queueId}/retry", (string node, string queueId, MailQueueService service, HttpContext http, CancellationToken ct) => ActAsync(node, queueId, QueueAction.Retry, service, http, ct))
            .RequireAuthorization(ConsolePolicies.AdminWrite).WithSummary("Try the message now, whatever its retry schedule says.");
        queue.MapPost("/{node}/{queueId}/bounce", (string node, string queueId, MailQueueService service, HttpContext http, CancellationToken ct) => ActAsync(node, queueId, QueueAction.Bounce, service, http, ct))
            .RequireAuthorization(ConsolePolicies.AdminWrite).WithSummary("Give up on the recipients not delivered yet and send the sender a DSN.");
        queue.MapDelete("/{node}/{queueId}", (string node, string queueId, MailQueueService service, HttpContext http, CancellationToken ct) => ActAsync(node, queueId, QueueAction.Delete, service, http, ct))
            .RequireAuthorization(ConsolePolicies.AdminWrite).WithSummary("Remove the message without telling anyone.");
    }

    private static async Task<NoContent> ActAsync(string node, string queueId, QueueAction action, MailQueueService service, HttpContext http, CancellationToken ct)
    {
        await service.ActAsync(node, queueId, action, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
        return TypedResults.NoContent();
    }
}
