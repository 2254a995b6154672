namespace AdminConsole.Web.Features.Auth;

/// <summary>
/// Why a session was ended by the console (not by the user's own Sign out), for the sign-in page to
/// say: a password or two-factor change, "sign out everywhere", the absolute timeout. The reason goes
/// into the request (the sign-in page's own request may be the one that found it) and a short-lived
/// cookie (the request that found it was a page that now redirects to the sign-in page). It holds a
/// reason code only, nothing about the account.
/// </summary>
public static class SessionEndedNotice
{
    private const string CookieName = "console.session-ended";
    private static readonly object ItemKey = new();

    public static void Tell(HttpContext http, string problem)
    {
        http.Items[ItemKey] = problem;
        http.Response.Cookies.Append(CookieName, Code(problem), new CookieOptions
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
        var code = http.Items[ItemKey] is string problem ? Code(problem) : http.Request.Cookies[CookieName];
        if (http.Request.Cookies.ContainsKey(CookieName)) http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/signin" });
        return code switch
        {
            null or "" => null,
            "account" => "You were signed out because the account's password or two-factor settings changed (here, in another session, or by an administrator). Sign in with the current ones.",
            "signed-out" => "This session was signed out from another window or with \"Sign out everywhere\".",
            "timeout" => "You were signed out because a session lasts at most a fixed time, however active. Sign in again.",
            _ => "Your session ended. Sign in again.",
        };
    }

    // The problems SessionClaims.ProblemAsync names, as short codes.
    private static string Code(string problem) => problem switch
    {
        "account changed" => "account",
        "signed out" => "signed-out",
        "absolute timeout" => "timeout",
        _ => "ended",
    };
}
