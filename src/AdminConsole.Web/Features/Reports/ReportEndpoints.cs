using AdminConsole.Web.Features.Api;

namespace AdminConsole.Web.Features.Reports;

internal static class ReportEndpoints
{
    public static IServiceCollection AddReportsFeature(this IServiceCollection services) => services.AddScoped<DomainReports>();

    /// <summary>GET /api/v1/domains/{name}/reports?days=30: what the DMARC and TLS reports received about the domain say.</summary>
    public static void MapReportApi(this RouteGroupBuilder api) =>
        api.MapGet("/domains/{name}/reports", async (string name, int? days, DomainReports reports, CancellationToken ct) => TypedResults.Ok(await reports.TakeAsync(name, days ?? 30, ct)))
            .AddEndpointFilter<ApiProblems>().WithTags("Domains");
}
