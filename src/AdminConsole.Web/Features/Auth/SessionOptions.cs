using System.Globalization;
using System.Security.Claims;
using AdminConsole.Core.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace AdminConsole.Web.Features.Auth;

/// <summary>Session lifetimes (section "Console:Sessions").</summary>
public sealed class SessionOptions
{
    public const string Section = "Console:Sessions";

    /// <summary>A session unused this long ends (the cookie's sliding expiry).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after sign-in however busy it is.</summary>
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How often an open page (a Blazor circuit) is checked against its account; requests are checked every time.</summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// What a session carries besides who it is: when it signed in (for the absolute timeout) and the
/// account's security stamp at the time (for "sign out everywhere" and password changes).
/// </summary>
internal static class SessionClaims
{
    public const string Stamp = "stamp";
    public const string AuthTime = "auth_time";
    public const string SessionId = "sid";

    public static Guid? Id(ClaimsPrincipal user) => Guid.TryParseExact(user.FindFirstValue(SessionId), "N", out var id) ? id : null;

    public static DateTimeOffset? SignedInAt(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(AuthTime), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    public static SignInKind Kind(ClaimsPrincipal user) => user.IsInRole(ConsolePolicies.MailboxUserRole) ? SignInKind.Mailbox : SignInKind.Admin;

    /// <summary>The reasons <see cref="ProblemAsync"/> gives that the sign-in page explains (SessionEndedNotice).</summary>
    public static class Problems
    {
        public const string AbsoluteTimeout = "absolute timeout";
        public const string SignedOut = "signed out";
        public const string AccountChanged = "account changed";
    }

    /// <summary>Null when the session is still good; otherwise why it ended.</summary>
    public static async Task<string?> ProblemAsync(ClaimsPrincipal user, SessionOptions options, TimeProvider clock, IServiceProvider services, CancellationToken ct)
    {
        if (user.FindFirstValue(AuthTime) is not { } authTime || !long.TryParse(authTime, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return "no sign-in time";
        if (clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) > options.AbsoluteTimeout) return Problems.AbsoluteTimeout;
        if (!Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id)) return "no account";
        if (Id(user) is not { } session) return "no session id";
        var signIns = services.GetRequiredService<SignInService>();
        if (await signIns.SessionEndedAsync(session, ct)) return Problems.SignedOut;
        var stamp = await signIns.CurrentStampAsync(Kind(user), id, ct);
        return stamp is not null && stamp == user.FindFirstValue(Stamp) ? null : Problems.AccountChanged;
    }

    /// <summary>
    /// Cookie validation on every request: the absolute timeout and the account's stamp (one primary-key
    /// read), so "sign out everywhere" and a password change end other sessions at their next request.
    /// </summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is not { } user) return;
        var services = context.HttpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<SessionOptions>>().Value;
        if (await ProblemAsync(user, options, services.GetRequiredService<TimeProvider>(), services, context.HttpContext.RequestAborted) is { } problem)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            SessionEndedNotice.Tell(context.HttpContext, problem);
        }
    }
}

/// <summary>
/// A Blazor circuit outlives the request that opened it; this re-checks its user at the revalidation
/// interval, so a session ended elsewhere (or timed out) loses the open pages too.
/// </summary>
internal sealed class SessionRevalidation(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<SessionOptions> options, TimeProvider clock)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : options.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        if (state.User.Identity?.IsAuthenticated != true) return true;
        await using var scope = scopes.CreateAsyncScope();
        return await SessionClaims.ProblemAsync(state.User, options.Value, clock, scope.ServiceProvider, ct) is null;
    }
}
