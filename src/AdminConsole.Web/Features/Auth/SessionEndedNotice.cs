namespace AdminConsole.Web.Features.Auth;

/// <summary>
/// Why a session was ended by the console (not by the user's own Sign out), for the sign-in page to
/// say: a password or two-factor change, "sign out everywhere", the absolute timeout. The reason goes
/// into the request (the sign-in page's own request may be the one that found it) and a short-lived
/// cookie (the request that found it was a page that now redirects to the sign-in page). It holds the
/// reason only (one of <see cref="SessionClaims.Problems"/> or another short phrase), nothing about the account.
/// </summary>
internal static class SessionEndedNotice
{
    private const string CookieName = "console.session-ended";
    private static readonly object ItemKey = new();

    public static void Tell(HttpContext http, string problem)
    {
        http.Items[ItemKey] = problem;
        http.Response.Cookies.Append(CookieName, problem, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/signin",
            MaxAge = TimeSpan.FromMinutes(10),
        });
    }

    /// <summary>The words for the sign-in page, once: the cookie is removed when read.</summary>
    public static string? Take(HttpContext http)
    {
        var problem = http.Items[ItemKey] as string ?? http.Request.Cookies[CookieName];
        if (http.Request.Cookies.ContainsKey(CookieName)) http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/signin" });
        return problem switch
        {
            null or "" => null,
            SessionClaims.Problems.AccountChanged => "You were signed out because the account's password or two-factor settings changed (here, in another session, or by an administrator). Sign in with the current ones.",
            SessionClaims.Problems.SignedOut => "This session was signed out from another window or with \"Sign out everywhere\".",
            SessionClaims.Problems.AbsoluteTimeout => "You were signed out because a session lasts at most a fixed time, however active. Sign in again.",
            _ => "Your session ended. Sign in again.",
        };
    }
}
