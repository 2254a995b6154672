using AdminConsole.Web.Features.Auth;

namespace AdminConsole.Web.Features.Engine;

internal static class EngineEndpoints
{
    public static IServiceCollection AddEngineFeature(this IServiceCollection services) => services.AddScoped<EngineOverview>();

    /// <param name="Day">The UTC day to report (yyyy-MM-dd); absent: yesterday, as the daily job does.</param>
    public sealed record DmarcReportsRequest(DateOnly? Day);

    public sealed record NodeDmarcReports(string Node, IReadOnlyList<MailEngine.Contracts.DmarcReportSent> Reports, string? Error, IReadOnlyList<MailEngine.Contracts.TlsReportSent>? TlsReports = null);

    public sealed record DmarcReportsResult(DateOnly Day, IReadOnlyList<NodeDmarcReports> Nodes);

    /// <summary>
    /// GET /api/v1/engine/status: desired vs applied version, queue and counters. POST
    /// /api/v1/engine/dmarc-reports: every node sends a day's DMARC aggregate reports now (what the
    /// daily job does after midnight); a day already reported is not sent again.
    /// </summary>
    public static void MapEngineApi(this RouteGroupBuilder api)
    {
        api.MapGet("/engine/status", async (EngineOverview overview, CancellationToken ct) => TypedResults.Ok(await overview.TakeAsync(ct))).WithTags("Engine");
        api.MapPost("/engine/dmarc-reports", async (DmarcReportsRequest request, Core.Reports.DmarcReportJob job, TimeProvider clock, CancellationToken ct) =>
        {
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            var day = request.Day ?? today.AddDays(-1);
            var errors = new Core.ValidationErrors();
            if (day > today) errors.Add("day", "A day that has not begun has nothing to report.");
            else if (day < today.AddDays(-MailEngine.Contracts.DmarcReportRun.KeptDays))
                errors.Add("day", $"The engine keeps the evaluations of the last {MailEngine.Contracts.DmarcReportRun.KeptDays} days only.");
            errors.ThrowIfAny();
            var results = await job.SendAsync(day, ct);
            return TypedResults.Ok(new DmarcReportsResult(day, [.. results.Select(r => new NodeDmarcReports(r.Node, r.Run?.Reports ?? [], r.Error, r.Run?.TlsReports ?? []))]));
        }).AddEndpointFilter<Api.ApiProblems>().WithTags("Engine").RequireAuthorization(ConsolePolicies.AdminWrite);
    }
}
