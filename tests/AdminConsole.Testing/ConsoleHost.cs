using AdminConsole.Core.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AdminConsole.Testing;

/// <summary>A test database with the console running on it: the usual fixture for integration tests.</summary>
public class ConsoleHost : IAsyncLifetime
{
    /// <summary>Configuration a derived fixture gives its host (say, short session timeouts).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>Whether the console also listens for HTTPS (<see cref="ConsoleFactory.HttpsAddress"/>).</summary>
    protected virtual bool Https => false;

    public TestDatabase Database { get; } = new();
    public ConsoleFactory Factory { get; private set; } = default!;

    public virtual async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Factory = new ConsoleFactory(Database.Name, settings: Settings, https: Https);
        _ = Factory.BaseAddress;
    }

    public virtual async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Database.DisposeAsync();
    }

    public async Task<AdminAccountService.CreatedAccount> CreateAdminAsync(string email, AdminRole role = AdminRole.Administrator)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AdminAccountService>().CreateAsync(email, role, "test");
    }

    /// <summary>An HTTP client carrying a new API token of the given scope (named <paramref name="tokenName"/> when given).</summary>
    public async Task<HttpClient> ApiClientAsync(ApiTokenScope scope = ApiTokenScope.ReadWrite, string? tokenName = null)
    {
        await using var services = Factory.Services.CreateAsyncScope();
        var token = await services.ServiceProvider.GetRequiredService<ApiTokenService>().CreateAsync(tokenName ?? $"t{Guid.NewGuid():N}", scope, "test");
        var client = Factory.CreateHttpClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Plaintext);
        return client;
    }

    /// <summary>Signs in through the real sign-in form (antiforgery token included) and returns the client holding the cookie.</summary>
    public async Task<HttpClient> SignedInClientAsync(string email, string password)
    {
        var client = Factory.CreateHttpClient();
        using var response = await SignInForm.PostAsync(client, email, password);
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in as {email} answered {(int)response.StatusCode}.");
        return client;
    }
}
