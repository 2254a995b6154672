using System.Security.Claims;
using AdminConsole.Core.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Antiforgery;

namespace AdminConsole.Web.Features.Auth;

internal static class AuthSetup
{
    private const string SelectorScheme = "console";

    public static IServiceCollection AddConsoleAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(SelectorScheme)
            // One entry scheme: a bearer header means an API token, anything else the sign-in cookie.
            .AddPolicyScheme(SelectorScheme, SelectorScheme, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "console.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Cookie.Path = "/";
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/denied";
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = SessionClaims.ValidateAsync;
                o.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);

        services.AddAuthorizationBuilder()
            .AddPolicy(ConsolePolicies.AdminRead, p => p.RequireRole(ConsolePolicies.AdministratorRole, ConsolePolicies.ReadOnlyRole))
            .AddPolicy(ConsolePolicies.AdminWrite, p => p.RequireAssertion(c => ConsolePolicies.CanWrite(c.User)))
            .AddPolicy(ConsolePolicies.MailboxUser, p => p.RequireRole(ConsolePolicies.MailboxUserRole));
        services.AddOptions<SessionOptions>().BindConfiguration(SessionOptions.Section);
        // The idle timeout is the cookie's sliding lifetime.
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<Microsoft.Extensions.Options.IOptions<SessionOptions>>((cookie, sessions) => cookie.ExpireTimeSpan = sessions.Value.IdleTimeout);
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, SessionRevalidation>();
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// <summary>The API answers 401/403 with problem details; the browser pages redirect to the sign-in page.</summary>
    private static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/metrics"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    public static ClaimsPrincipal ToPrincipal(SignedInUser user, DateTimeOffset now)
    {
        var role = user.Kind == SignInKind.Mailbox ? ConsolePolicies.MailboxUserRole : ConsolePolicies.RoleName(user.Role!.Value);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
                new Claim(ClaimTypes.Name, user.Email),
                new Claim(ClaimTypes.Email, user.Email),
                new Claim(ClaimTypes.Role, role),
                new Claim(SessionClaims.Stamp, user.Stamp),
                new Claim(SessionClaims.AuthTime, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                // The server-side identity of this session: sign-out records it as ended.
                new Claim(SessionClaims.SessionId, Guid.NewGuid().ToString("N")),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>
    /// Sign-out is a POST with an antiforgery token (a form field), so another site cannot sign a user
    /// out. It ends the session on the server too: a copy of the cookie taken before is refused after.
    /// </summary>
    public static void MapAuthEndpoints(this IEndpointRouteBuilder app) =>
        app.MapPost("/signout", async (HttpContext context, IAntiforgery antiforgery, SignInService signIns, Microsoft.Extensions.Options.IOptions<SessionOptions> sessions) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The sign-out form has expired or did not come from this site.");
            if (SessionClaims.Id(context.User) is { } id && SessionClaims.SignedInAt(context.User) is { } at)
                await signIns.EndSessionAsync(id, at + sessions.Value.AbsoluteTimeout, context.RequestAborted);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/signin");
        });

    /// <summary>Only local paths are followed after sign-in ("/x", not "//x" or "/\x"), so the page cannot be used as an open redirect.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl[0] == '/' && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
            ? returnUrl
            : "/";
}
