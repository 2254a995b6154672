using AdminConsole.Core.Certificates;
using AdminConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Certificates;

/// <summary>
/// The HTTP-01 answers (RFC 8555 §8.3) while a CA validates one of our names: GET
/// /.well-known/acme-challenge/{token} on the console's HTTP port, without signing in, answered only
/// for the host the token was issued for. The CA follows redirects, but it connects to port 80 first:
/// a proxy in front of the console must pass this path through on plain HTTP.
/// </summary>
internal static class AcmeChallengeEndpoints
{
    public static void MapAcmeChallengeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/acme-challenge/{token}", async Task<IResult> (string token, HttpContext http, AdminDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            var host = http.Request.Host.Host.TrimEnd('.').ToLowerInvariant();
            var now = clock.GetUtcNow();
            var answer = await db.AcmeChallengeAnswers.AsNoTracking().SingleOrDefaultAsync(a => a.Token == token && a.Challenge == AcmeChallengeKind.Http01 && a.ExpiresAt > now, ct);
            if (answer is null || answer.Name != host) return TypedResults.NotFound();
            // §8.3: the body is the key authorization; application/octet-stream as the RFC's example.
            return TypedResults.Text(answer.KeyAuthorization, "application/octet-stream");
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
