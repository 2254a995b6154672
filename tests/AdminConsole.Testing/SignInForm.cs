using System.Text.RegularExpressions;

namespace AdminConsole.Testing;

/// <summary>Fills in the sign-in form the way a browser does: GET the page, keep the antiforgery cookie and field, POST.</summary>
public static partial class SignInForm
{
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string email, string password, string? returnUrl = null) =>
        PostFormAsync(client, returnUrl is null ? "/signin" : $"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}", "signin",
            new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    /// <summary>Any static-rendered form of the console (sign-in, second factor): GET the page, POST the fields with its antiforgery token.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string formName, IReadOnlyDictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        var token = AntiforgeryField().Match(page);
        if (!token.Success) throw new InvalidOperationException($"{path} has no form with an antiforgery field.");
        var form = new Dictionary<string, string>(fields) { ["_handler"] = formName, ["__RequestVerificationToken"] = token.Groups[1].Value };
        return await client.PostAsync(path, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
