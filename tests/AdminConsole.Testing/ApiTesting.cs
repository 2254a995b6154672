using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace AdminConsole.Testing;

/// <summary>What the REST API tests share: JSON bodies and the check that a refusal is a proper problem.</summary>
public static class ApiTesting
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Asserts the status and an RFC 9457 body, and returns the body for further checks.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }
    }
}
