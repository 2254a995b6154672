using AdminConsole.Core;
using AdminConsole.Core.Dns;
using AdminConsole.Web.Features.Api;

namespace AdminConsole.Web.Features.Dns;

/// <summary>
/// /api/v1/domains/{name}/dns: every record the domain needs, and the same records as a master-file
/// fragment (/dns/zone, text/plain) to paste into a zone.
/// </summary>
internal static class DnsEndpoints
{
    /// <param name="Status">The live check's verdict; "unchecked" until it has looked at the domain's name servers.
    /// For a record to delete (<paramref name="Obsolete"/>): "removed" when no server has it, "present" while one does.</param>
    /// <param name="Obsolete">The record must be deleted (a retired DKIM selector), not published.</param>
    public sealed record DnsRecordResource(string Name, string Type, string Value, string Purpose, bool InZone, string Status, bool Obsolete);

    /// <param name="Check">The newest live check (zone, name servers, DNSSEC, when); null before the first.</param>
    public sealed record DnsResource(string Domain, string MailHost, IReadOnlyList<DnsRecordResource> Records, IReadOnlyList<string> Warnings, CheckSummary? Check);

    public sealed record CheckSummary(DateTimeOffset CheckedAt, string? Zone, IReadOnlyList<string> NameServers, bool Signed, bool Validated, int Broken, string? Error);

    /// <param name="Secret">The TSIG key's secret (base64): needed the first time, never returned.</param>
    public sealed record PublisherRequest(string? Server, string? Zone, string? KeyName, string? Algorithm, string? Secret);

    public static void MapDnsApi(this RouteGroupBuilder api)
    {
        var dns = api.MapGroup("/domains/{name}/dns").AddEndpointFilter<ApiProblems>().WithTags("DNS");

        dns.MapGet("/", async (string name, DnsRecordService records, CancellationToken ct) =>
        {
            var set = await records.ForAsync(name, ct);
            var check = (await records.ChecksAsync(name, 1, ct)).FirstOrDefault();
            return TypedResults.Ok(Resource(set, check));
        });

        // Asks every authoritative server now; the answer is the records with their new status.
        dns.MapPost("/check", async (string name, DnsRecordService records, CancellationToken ct) =>
        {
            var check = await records.CheckAsync(name, ct);
            return TypedResults.Ok(Resource(await records.ForAsync(name, ct), check));
        }).RequireAuthorization(Auth.ConsolePolicies.AdminWrite);

        // The history, newest first, with each record's answer per name server.
        dns.MapGet("/checks", async (string name, int? limit, DnsRecordService records, CancellationToken ct) =>
        {
            await records.ForAsync(name, ct); // 404 for an unknown domain
            return TypedResults.Ok(new { items = await records.ChecksAsync(name, Math.Clamp(limit ?? 20, 1, DnsRecordService.ChecksKept), ct) });
        });

        // RFC 2136 publishing: where (a primary's address), the zone, the TSIG key; the secret never comes back.
        dns.MapGet("/publisher", async (string name, DnsPublisher publisher, CancellationToken ct) =>
            await publisher.GetAsync(name, ct) is { } view ? TypedResults.Ok(view) : throw new DomainNotFoundException($"{name} has no RFC 2136 publishing set up."));

        dns.MapPut("/publisher", async (string name, PublisherRequest request, DnsPublisher publisher, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await publisher.SetAsync(name, request.Server, request.Zone, request.KeyName, request.Algorithm, request.Secret,
                Domains.DomainEndpoints.Actor(http.User), Domains.DomainEndpoints.Remote(http), ct))).RequireAuthorization(Auth.ConsolePolicies.AdminWrite);

        dns.MapDelete("/publisher", async (string name, DnsPublisher publisher, HttpContext http, CancellationToken ct) =>
        {
            await publisher.RemoveAsync(name, Domains.DomainEndpoints.Actor(http.User), Domains.DomainEndpoints.Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(Auth.ConsolePolicies.AdminWrite);

        // Sends only what the live check found missing or different, then checks again.
        dns.MapPost("/publish", async (string name, DnsPublisher publisher, DnsRecordService records, HttpContext http, CancellationToken ct) =>
        {
            var result = await publisher.PublishAsync(name, Domains.DomainEndpoints.Actor(http.User), Domains.DomainEndpoints.Remote(http), ct);
            return TypedResults.Ok(new { result.Added, result.Replaced, result.Removed, dns = Resource(await records.ForAsync(name, ct), result.Check) });
        }).RequireAuthorization(Auth.ConsolePolicies.AdminWrite);

        // A zone file fragment (RFC 1035 master file format) to paste into the zone.
        dns.MapGet("/zone", async (string name, DnsRecordService records, CancellationToken ct) =>
            TypedResults.Text(await records.ZoneAsync(name, ct), "text/plain; charset=utf-8")).Produces<string>(StatusCodes.Status200OK, "text/plain");
    }

    private static DnsResource Resource(DomainRecords set, DnsCheckResult? check) => new(set.Domain, set.MailHost,
        set.Records.Select(r => new DnsRecordResource(r.Name, r.Type, r.Value, r.Purpose, r.InZone, DnsRecordService.StatusOf(r, check), r.Obsolete)).ToList(), set.Warnings,
        check is null ? null : new CheckSummary(check.CheckedAt, check.Zone, check.NameServers, check.Signed, check.Validated, check.Error is null ? check.Broken : -1, check.Error));
}
