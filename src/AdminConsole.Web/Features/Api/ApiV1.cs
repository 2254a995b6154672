using AdminConsole.Core.Dashboard;
using AdminConsole.Web.Features.Admins;
using AdminConsole.Web.Features.Audit;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Groups;
using AdminConsole.Web.Features.Domains;
using AdminConsole.Web.Features.Dkim;
using AdminConsole.Web.Features.Dns;
using AdminConsole.Web.Features.Engine;
using AdminConsole.Web.Features.Mailboxes;
using AdminConsole.Web.Features.Vacation;
using AdminConsole.Web.Features.Filters;
using AdminConsole.Web.Features.Import;
using AdminConsole.Web.Features.Spam;
using AdminConsole.Web.Features.Diagnostics;
using AdminConsole.Web.Features.Reports;
using AdminConsole.Web.Features.Certificates;
using AdminConsole.Web.Features.Alerts;
using AdminConsole.Web.Features.Queue;

namespace AdminConsole.Web.Features.Api;

/// <summary>The REST API's root group (/api/v1). Every resource group requires at least read access.</summary>
internal static class ApiV1
{
    public static RouteGroupBuilder MapApiV1(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(ConsolePolicies.AdminRead).WithProblemResponses();

        // The dashboard's figures for automation: the same snapshot the dashboard page renders.
        api.MapGet("/overview", async (DashboardStatistics statistics, CancellationToken ct) =>
        {
            var s = await statistics.TakeAsync(ct);
            return TypedResults.Ok(new
            {
                database = new { up = s.DatabaseUp, version = s.DatabaseVersion, error = s.DatabaseError },
                counts = s.Counts,
                jobServers = s.JobServers,
                jobs = s.Jobs,
            });
        });
        api.MapEngineApi();
        api.MapDomainApi();
        api.MapDkimApi();
        api.MapDnsApi();
        api.MapCertificateApi();
        api.MapMailboxApi();
        api.MapGroupApi();
        api.MapVacationApi();
        api.MapFilterApi();
        api.MapSpamApi();
        api.MapDiagnosticsApi();
        api.MapReportApi();
        api.MapImportApi();
        api.MapAuditApi();
        api.MapAdminApi();
        api.MapAlertApi();
        api.MapQueueApi();
        return api;
    }
}
