using System.Globalization;
using Microsoft.AspNetCore.DataProtection;

namespace AdminConsole.Web.Features.Auth;

/// <summary>
/// Between the password and the TOTP code: an encrypted, five-minute cookie naming the admin whose
/// password was right. It grants nothing by itself; only the second-factor page reads it.
/// </summary>
internal static class PendingSecondFactor
{
    public const string CookieName = "console.2fa";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private static IDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector("AdminConsole.SignIn.SecondFactor.v1");

    public static void Start(HttpContext http, Guid adminId, DateTimeOffset now)
    {
        var value = Protector(http).Protect(string.Create(CultureInfo.InvariantCulture, $"{adminId:N}|{(now + Lifetime).ToUnixTimeSeconds()}"));
        http.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/signin", MaxAge = Lifetime,
        });
    }

    public static Guid? Read(HttpContext http, DateTimeOffset now)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var value)) return null;
        try
        {
            var parts = Protector(http).Unprotect(value).Split('|');
            return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out var id) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var expires)
                   && DateTimeOffset.FromUnixTimeSeconds(expires) > now ? id : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    public static void End(HttpContext http) => http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/signin" });
}
