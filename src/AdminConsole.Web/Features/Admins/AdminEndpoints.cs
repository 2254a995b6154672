using AdminConsole.Core;
using AdminConsole.Core.Accounts;
using AdminConsole.Core.Data;
using AdminConsole.Web.Features.Api;
using AdminConsole.Web.Features.Auth;
using AdminConsole.Web.Features.Domains;
using Microsoft.EntityFrameworkCore;

namespace AdminConsole.Web.Features.Admins;

/// <summary>
/// /api/v1/admins: the admin accounts, as the Administrators page and adminctl manage them. A
/// generated password is in the answer that made it, and nowhere else.
/// </summary>
internal static class AdminEndpoints
{
    public sealed record AdminResource(string Email, string Role, bool TwoFactor, bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset? LastSignInAt);

    /// <param name="Password">Generated, shown once.</param>
    public sealed record CreatedAdmin(AdminResource Admin, string Password);

    public sealed record AdminRequest(string? Email, string? Role);

    public sealed record RolePatch(string? Role);

    public sealed record NewPassword(string Password);

    public static void MapAdminApi(this RouteGroupBuilder api)
    {
        var admins = api.MapGroup("/admins").AddEndpointFilter<ApiProblems>().WithTags("Administrators");

        admins.MapGet("/", async (AdminDbContext db, CancellationToken ct) =>
            TypedResults.Ok((await db.AdminAccounts.AsNoTracking().OrderBy(a => a.Email).ToListAsync(ct)).Select(Resource).ToList()));

        admins.MapPost("/", async (AdminRequest request, AdminAccountService service, HttpContext http, CancellationToken ct) =>
        {
            if (Role(request.Role ?? "administrator") is not { } role) throw RoleProblem();
            var created = await service.CreateAsync(request.Email ?? "", role, DomainEndpoints.Actor(http.User), ct, DomainEndpoints.Remote(http));
            return TypedResults.Created($"/api/v1/admins/{created.Account.Email}", new CreatedAdmin(Resource(created.Account), created.Password));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        admins.MapPatch("/{email}", async (string email, RolePatch request, AdminAccountService service, HttpContext http, CancellationToken ct) =>
        {
            if (Role(request.Role) is not { } role) throw RoleProblem();
            return TypedResults.Ok(Resource(await service.SetRoleAsync(email, role, DomainEndpoints.Actor(http.User), ct, DomainEndpoints.Remote(http))));
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        admins.MapPost("/{email}/password", async (string email, AdminAccountService service, HttpContext http, CancellationToken ct) =>
            TypedResults.Ok(new NewPassword(await service.ResetPasswordAsync(email, DomainEndpoints.Actor(http.User), ct, DomainEndpoints.Remote(http)))))
            .RequireAuthorization(ConsolePolicies.AdminWrite);

        admins.MapDelete("/{email}/two-factor", async (string email, AdminAccountService service, HttpContext http, CancellationToken ct) =>
        {
            await service.RemoveTwoFactorAsync(email, DomainEndpoints.Actor(http.User), ct, DomainEndpoints.Remote(http));
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);

        admins.MapDelete("/{email}", async (string email, AdminAccountService service, HttpContext http, CancellationToken ct) =>
        {
            await service.DeleteAsync(email, DomainEndpoints.Actor(http.User), ct, DomainEndpoints.Remote(http));
            return TypedResults.NoContent();
        }).RequireAuthorization(ConsolePolicies.AdminWrite);
    }

    private static AdminRole? Role(string? role) => AdminAccountService.ParseRole(role);

    private static DomainValidationException RoleProblem() => new("role", "The role is administrator or read-only.");

    private static AdminResource Resource(AdminAccount a) =>
        new(a.Email, AdminAccountService.Role(a.Role), a.TwoFactorEnabled, a.Disabled, a.CreatedAt, a.LastSignInAt);
}
