namespace AdminConsole.Web.Hosting;

/// <summary>
/// Headers every response carries. The CSP allows only this origin's scripts; inline styles are allowed
/// because MudBlazor sets style attributes. The Hangfire dashboard (/jobs) and the Scalar API reference
/// (/api/docs) ship inline scripts, so those two get 'unsafe-inline' for scripts and nothing else does.
/// </summary>
internal static class SecurityHeaders
{
    private const string ConsolePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    private const string InlineScriptPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/jobs") || context.Request.Path.StartsWithSegments("/api/docs")
                ? InlineScriptPolicy
                : ConsolePolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // What a signed-in user or a token sees is never kept by a browser or proxy cache.
            context.Response.OnStarting(() =>
            {
                if ((context.User.Identity?.IsAuthenticated ?? false) || context.Request.Path.StartsWithSegments("/api"))
                    context.Response.Headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
            return next(context);
        });
}
