using System.Text.Json.Nodes;
using AdminConsole.Web.Features.Admins;
using AdminConsole.Web.Features.Domains;
using AdminConsole.Web.Features.Filters;
using AdminConsole.Web.Features.Groups;
using AdminConsole.Web.Features.Mailboxes;
using AdminConsole.Web.Features.Vacation;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.OpenApi;

namespace AdminConsole.Web.Features.Api;

/// <summary>
/// What /openapi/v1.json says beyond what the handlers' typed results give it, so a client
/// generator (Kiota, NSwag) gets a usable description: the bearer token scheme, the RFC 9457
/// problem details every error answers with (ApiProblems turns the domain's refusals into them, so
/// the handlers themselves return only their success), and an example body for each request type.
/// ApiContractTests checks every response the API tests receive against this document.
/// </summary>
internal static class ApiDocument
{
    public const string BearerScheme = "bearer";

    /// <summary>
    /// The error answers, as endpoint metadata so the document generator writes their schemas
    /// (ProblemDetails, HttpValidationProblemDetails): every operation can be refused as malformed
    /// (400), unauthenticated (401) or not allowed (403); one with a route value names an object that
    /// may not exist (404); a change may collide with what is there (409) or with a newer version
    /// than its If-Match (412); engine figures come from nodes that may not answer (502).
    /// </summary>
    public static RouteGroupBuilder WithProblemResponses(this RouteGroupBuilder api)
    {
        // Finally: after each endpoint's own conventions, so its methods and declared responses are known.
        ((IEndpointConventionBuilder)api).Finally(endpoint =>
        {
            var methods = endpoint.Metadata.OfType<IHttpMethodMetadata>().SelectMany(m => m.HttpMethods).ToList();
            var hasRouteValues = endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 };
            var changes = methods.Any(m => m is "POST" or "PUT" or "PATCH" or "DELETE");
            Add(endpoint, StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails));
            Add(endpoint, StatusCodes.Status401Unauthorized);
            Add(endpoint, StatusCodes.Status403Forbidden);
            if (hasRouteValues) Add(endpoint, StatusCodes.Status404NotFound);
            if (changes) Add(endpoint, StatusCodes.Status409Conflict);
            if (methods.Any(m => m is "PUT" or "PATCH")) Add(endpoint, StatusCodes.Status412PreconditionFailed);
        });
        return api;
    }

    private static void Add(EndpointBuilder endpoint, int status, Type? type = null)
    {
        if (endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == status)) return;
        endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, type ?? typeof(ProblemDetails), ["application/problem+json"]));
    }

    public static void Configure(OpenApiOptions options)
    {
        // The REST API only: pages, sign-in and operations endpoints are not part of it.
        options.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1", StringComparison.Ordinal) == true;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Mail admin console API";
            document.Info.Description = "Domains, mailboxes, groups, vacation replies, filters, DNS and DKIM, spam settings, administrators, audit and engine status. "
                + "Authenticate with a bearer API token (adminctl token create, or the API tokens page); read tokens may only GET. "
                + "Errors are RFC 9457 problem details; a 400 names each refused field in \"errors\". "
                + "Single objects carry an ETag: send it back in If-Match to change them, and a change made meanwhile by someone else is refused with 412.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "act_<key id>_<secret>",
                Description = "An API token: adminctl token create NAME [--scope read|read-write].",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            operation.OperationId ??= OperationId(context.Description.HttpMethod, context.Description.RelativePath);
            var body = context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source.Id == "Body")?.Type;
            if (body is not null && Examples.TryGetValue(body, out var example) && operation.RequestBody?.Content is { } content)
                foreach (var media in content.Values) media.Example = JsonNode.Parse(example);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// A name per operation for generated clients: the method and the path's words, route values as
    /// "By…" ("GET api/v1/domains/{name}/dkim" is GetDomainsByNameDkim), unique because paths are.
    /// </summary>
    internal static string OperationId(string? method, string? path)
    {
        var words = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(segment => segment.StartsWith('{')
            ? "By" + Pascal(segment.Trim('{', '}').Split(':')[0])
            : string.Concat(segment.Split('-', '.').Select(Pascal)));
        return Pascal((method ?? "get").ToLowerInvariant()) + string.Concat(words);
    }

    private static string Pascal(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];

    /// <summary>An example body per request type, as a client would send it.</summary>
    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(DomainEndpoints.DomainRequest)] = """{"name":"example.com","description":"Main office","defaultQuotaBytes":10737418240,"maxMessageBytes":52428800,"catchAllAddress":null,"mtaStsMode":"testing","dmarcPolicy":"none","inboundDmarc":"enforce","trustedArcSealers":["lists.example.org"]}""",
        [typeof(Engine.EngineEndpoints.DmarcReportsRequest)] = """{"day":"2026-12-01"}""",
        [typeof(MailboxEndpoints.MailboxRequest)] = """{"address":"alice@example.com","displayName":"Alice Liddell","quotaBytes":5368709120,"password":null}""",
        [typeof(GroupEndpoints.GroupRequest)] = """{"address":"team@example.com","description":"Everyone in the team","members":["alice","bob@example.com","partner@example.org"]}""",
        [typeof(GroupEndpoints.GroupPatch)] = """{"description":"Everyone in the team","members":["alice","bob"]}""",
        [typeof(GroupEndpoints.MembersRequest)] = """{"members":["alice","bob"]}""",
        [typeof(VacationEndpoints.VacationRequest)] = """{"enabled":true,"subject":"Out of office","body":"I am away until Monday and will answer then.","startsAt":"2026-12-20T00:00:00Z","endsAt":"2026-12-28T00:00:00Z","replyIntervalDays":7,"extraAddresses":[]}""",
        [typeof(FilterEndpoints.FilterRequest)] = """{"script":"require [\"fileinto\", \"mailbox\"];\nif address :contains \"from\" \"boss@example.com\" {\n    fileinto :create \"Boss\";\n}\n"}""",
        [typeof(AdminEndpoints.AdminRequest)] = """{"email":"ops@example.com","role":"read-only"}""",
        [typeof(AdminEndpoints.RolePatch)] = """{"role":"administrator"}""",
    };
}
