using AdminConsole.Core.Dns;
using AdminConsole.Web.Features.Api;

namespace AdminConsole.Web.Features.Dns;

/// <summary>
/// /api/v1/domains/{name}/dns: every record the domain needs, and the same records as a master-file
/// fragment (/dns/zone, text/plain) to paste into a zone.
/// </summary>
internal static class DnsEndpoints
{
    /// <param name="Status">The live check's verdict; "unchecked" until it has looked at the domain's name servers.</param>
    public sealed record DnsRecordResource(string Name, string Type, string Value, string Purpose, bool InZone, string Status);

    public sealed record DnsResource(string Domain, string MailHost, IReadOnlyList<DnsRecordResource> Records, IReadOnlyList<string> Warnings);

    public static void MapDnsApi(this RouteGroupBuilder api)
    {
        var dns = api.MapGroup("/domains/{name}/dns").AddEndpointFilter<ApiProblems>().WithTags("DNS");

        dns.MapGet("/", async Task<IResult> (string name, DnsRecordService records, CancellationToken ct) =>
        {
            var set = await records.ForAsync(name, ct);
            return TypedResults.Ok(new DnsResource(set.Domain, set.MailHost,
                set.Records.Select(r => new DnsRecordResource(r.Name, r.Type, r.Value, r.Purpose, r.InZone, "unchecked")).ToList(), set.Warnings));
        });

        dns.MapGet("/zone", async Task<IResult> (string name, DnsRecordService records, CancellationToken ct) =>
            TypedResults.Text(await records.ZoneAsync(name, ct), "text/plain; charset=utf-8"));
    }
}
