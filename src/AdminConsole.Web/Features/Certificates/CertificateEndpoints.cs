using AdminConsole.Core.Certificates;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;
using Hangfire;

namespace AdminConsole.Web.Features.Certificates;

/// <summary>
/// /api/v1/certificates: the server certificates, uploaded or issued by ACME. A request makes the ACME
/// account at once (terms, EAB and an unreachable CA are answered as field errors) and starts the
/// issuance as a job; the certificate's status, events and last error say how it went. Private keys
/// are never returned.
/// </summary>
internal static class CertificateEndpoints
{
    /// <param name="CertificatePem">The certificate, then its intermediates, as PEM.</param>
    /// <param name="PrivateKeyPem">Its private key as PEM (PKCS#8, SEC 1 or PKCS#1; not encrypted).</param>
    /// <param name="Pkcs12Base64">A PKCS#12 (.pfx) file as base64, instead of the two PEM fields; with its <paramref name="Password"/>.</param>
    /// <param name="Names">The names it is for; empty: the certificate's own.</param>
    public sealed record CertificateUploadRequest(IReadOnlyList<string>? Names, string? CertificatePem, string? PrivateKeyPem, string? Pkcs12Base64, string? Password);

    /// <param name="Authority">letsencrypt, letsencrypt-staging or zerossl; or give <paramref name="DirectoryUrl"/>.</param>
    /// <param name="Challenge">http-01 (the default), tls-alpn-01 or dns-01.</param>
    /// <param name="KeyAlgorithm">ecdsa-p256 (the default) or rsa-2048.</param>
    /// <param name="ExternalAccountMacKey">The CA's MAC key (base64url), used once to make the account and not stored.</param>
    public sealed record CertificateOrderRequest(IReadOnlyList<string>? Names, string? Challenge, string? KeyAlgorithm, string? Authority, string? DirectoryUrl,
        string? Contact, bool AgreeToTerms, string? ExternalAccountKeyId, string? ExternalAccountMacKey);

    public static void MapCertificateApi(this RouteGroupBuilder api)
    {
        var certificates = api.MapGroup("/certificates").AddEndpointFilter<ApiProblems>().WithTags("Certificates");

        certificates.MapGet("/", async (CertificateService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)));

        certificates.MapGet("/{id:guid}", async (Guid id, CertificateService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)));

        // An upload is POST /api/v1/certificates; an ACME order is POST …/acme.
        certificates.MapPost("/", async (CertificateUploadRequest request, CertificateService service, HttpContext http, CancellationToken ct) =>
        {
            byte[]? pkcs12 = null;
            if (!string.IsNullOrWhiteSpace(request.Pkcs12Base64))
            {
                try
                {
                    pkcs12 = Convert.FromBase64String(request.Pkcs12Base64.Trim());
                }
                catch (FormatException)
                {
                    throw new Core.DomainValidationException("pkcs12Base64", "The PKCS#12 file is not base64.");
                }
            }

            var view = await service.UploadAsync(new CertificateUpload(request.Names, request.CertificatePem, request.PrivateKeyPem, pkcs12, request.Password),
                DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.Created($"/api/v1/certificates/{view.Id}", view);
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        certificates.MapPost("/acme", async (CertificateOrderRequest request, CertificateService service, JobStorage jobs, HttpContext http, CancellationToken ct) =>
        {
            var view = await service.RequestAsync(new AcmeCertificateRequest(request.Names, request.Challenge, request.KeyAlgorithm, request.Authority, request.DirectoryUrl,
                request.Contact, request.AgreeToTerms, request.ExternalAccountKeyId, request.ExternalAccountMacKey), DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            StartIssuance(jobs, view.Id);
            return TypedResults.Accepted($"/api/v1/certificates/{view.Id}", view);
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        certificates.MapPost("/{id:guid}/renew", async (Guid id, CertificateService service, JobStorage jobs, HttpContext http, CancellationToken ct) =>
        {
            var view = await service.RenewNowAsync(id, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            StartIssuance(jobs, id);
            return TypedResults.Accepted($"/api/v1/certificates/{id}", view);
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        certificates.MapPost("/{id:guid}/revoke", async (Guid id, CertificateService service, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(await service.RevokeAsync(id, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct)))
            .RequireAuthorization(ConsolePolicies.AdminWrite);

        certificates.MapDelete("/{id:guid}", async (Guid id, CertificateService service, HttpContext http, CancellationToken ct) =>
        {
            await service.DeleteAsync(id, DomainEndpoints.Actor(http.User), DomainEndpoints.Remote(http), ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);
    }

    /// <summary>The issuance as a job of its own: it waits on the CA for up to minutes, longer than a request should.</summary>
    public static void StartIssuance(JobStorage jobs, Guid id) =>
        new BackgroundJobClient(jobs).Enqueue<CertificateRenewalJob>(j => j.RunOneAsync(id, CancellationToken.None));
}
