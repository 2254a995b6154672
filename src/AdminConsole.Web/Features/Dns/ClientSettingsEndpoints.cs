using System.Security;
using System.Xml.Linq;
using AdminConsole.Core.Dns;
using Microsoft.Extensions.Options;

namespace AdminConsole.Web.Features.Dns;

/// <summary>
/// What the console serves to other mail systems and to mail clients, by Host header, without signing
/// in (the records of the DNS page point here): the MTA-STS policy (RFC 8461 §3.3) at
/// https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt, Thunderbird's autoconfiguration
/// (config-v1.1.xml) and Outlook's autodiscover (POST /autodiscover/autodiscover.xml). Only for our
/// domains; anything else is a 404 that names nothing.
/// </summary>
internal static class ClientSettingsEndpoints
{
    private static readonly XNamespace AutodiscoverResponse = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    private static readonly XNamespace OutlookResponse = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    public static void MapClientSettingsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/mta-sts.txt", async Task<IResult> (HttpContext http, DnsRecordService records, CancellationToken ct) =>
        {
            var host = http.Request.Host.Host.ToLowerInvariant();
            if (!host.StartsWith("mta-sts.", StringComparison.Ordinal)) return TypedResults.NotFound();
            // RFC 8461 §3.3: text/plain, no redirects.
            return await records.MtaStsPolicyAsync(host["mta-sts.".Length..], ct) is { } policy ? TypedResults.Text(policy, "text/plain") : TypedResults.NotFound();
        }).AllowAnonymous().ExcludeFromDescription();

        // Thunderbird asks autoconfig.<domain>/mail/config-v1.1.xml, then <domain>/.well-known/autoconfig/…, with ?emailaddress=.
        app.MapGet("/mail/config-v1.1.xml", AutoconfigAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/.well-known/autoconfig/mail/config-v1.1.xml", AutoconfigAsync).AllowAnonymous().ExcludeFromDescription();

        // Routes match without regard to case: Outlook's /Autodiscover/Autodiscover.xml lands here too.
        app.MapPost("/autodiscover/autodiscover.xml", AutodiscoverAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
    }

    private static async Task<IResult> AutoconfigAsync(HttpContext http, string? emailaddress, DnsRecordService records, IOptions<DnsOptions> options, CancellationToken ct)
    {
        var candidate = emailaddress is { } address && address.LastIndexOf('@') is var at and > 0 ? address[(at + 1)..] : HostDomain(http, "autoconfig.");
        if (candidate is null || await records.OursAsync(candidate, ct) is not { } domain) return TypedResults.NotFound();
        var o = options.Value;
        var mailHost = records.MailHost;
        XElement Server(string element, string type, int port, string socket) => new(element, new XAttribute("type", type),
            new XElement("hostname", mailHost), new XElement("port", port), new XElement("socketType", socket),
            new XElement("authentication", "password-cleartext"), new XElement("username", "%EMAILADDRESS%"));
        var config = new XDocument(new XElement("clientConfig", new XAttribute("version", "1.1"),
            new XElement("emailProvider", new XAttribute("id", domain),
                new XElement("domain", domain),
                new XElement("displayName", domain),
                new XElement("displayShortName", domain),
                // Implicit TLS first (RFC 8314 §3), STARTTLS as the alternative.
                Server("incomingServer", "imap", o.ImapsPort, "SSL"),
                Server("incomingServer", "imap", o.ImapPort, "STARTTLS"),
                Server("outgoingServer", "smtp", o.SubmissionsPort, "SSL"),
                Server("outgoingServer", "smtp", o.SubmissionPort, "STARTTLS"))));
        return TypedResults.Text(config.Declaration + config.ToString(), "application/xml");
    }

    /// <summary>Outlook's autodiscover (the POX protocol): the request names the address; the answer lists IMAP and SMTP.</summary>
    private static async Task<IResult> AutodiscoverAsync(HttpContext http, DnsRecordService records, IOptions<DnsOptions> options, CancellationToken ct)
    {
        string? email;
        try
        {
            // A small document; the size bound keeps a hostile client from sending a large one.
            using var limited = new StreamReader(http.Request.Body);
            var buffer = new char[64 * 1024];
            var read = await limited.ReadBlockAsync(buffer, ct);
            var request = XDocument.Parse(new string(buffer, 0, read));
            email = request.Descendants().FirstOrDefault(e => e.Name.LocalName == "EMailAddress")?.Value.Trim();
        }
        catch (System.Xml.XmlException)
        {
            return TypedResults.BadRequest();
        }

        if (email is null || email.LastIndexOf('@') is not (var at and > 0) || await records.OursAsync(email[(at + 1)..], ct) is null) return TypedResults.NotFound();
        var o = options.Value;
        XElement Protocol(string type, int port, bool tls) => new(OutlookResponse + "Protocol",
            new XElement(OutlookResponse + "Type", type), new XElement(OutlookResponse + "Server", records.MailHost), new XElement(OutlookResponse + "Port", port),
            new XElement(OutlookResponse + "LoginName", email), new XElement(OutlookResponse + "SPA", "off"),
            new XElement(OutlookResponse + "SSL", tls ? "on" : "off"), new XElement(OutlookResponse + "AuthRequired", "on"));
        var response = new XDocument(new XElement(AutodiscoverResponse + "Autodiscover",
            new XElement(OutlookResponse + "Response",
                new XElement(OutlookResponse + "Account",
                    new XElement(OutlookResponse + "AccountType", "email"),
                    new XElement(OutlookResponse + "Action", "settings"),
                    Protocol("IMAP", o.ImapsPort, tls: true),
                    Protocol("SMTP", o.SubmissionsPort, tls: true)))));
        return TypedResults.Text(response.Declaration + response.ToString(), "application/xml");
    }

    private static string? HostDomain(HttpContext http, string prefix)
    {
        var host = http.Request.Host.Host.ToLowerInvariant();
        return host.StartsWith(prefix, StringComparison.Ordinal) ? host[prefix.Length..] : null;
    }
}
