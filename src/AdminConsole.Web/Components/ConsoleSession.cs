using System.Security.Claims;
using AdminConsole.Web.Features.Domains;
using AdminConsole.Web.Features.Auth;
using Microsoft.AspNetCore.Components.Authorization;

namespace AdminConsole.Web.Components;

/// <summary>
/// Who is acting in this circuit and from where, for the audit log, and a short-lived service scope per
/// action: a circuit lives for hours, a DbContext must not.
/// </summary>
public sealed class ConsoleSession(AuthenticationStateProvider authentication, IServiceScopeFactory scopes, IHttpContextAccessor http)
{
    // The circuit's scope is created while its SignalR connection is being set up, so the accessor still
    // holds that connection's context here; it is read once and kept.
    private readonly string? _remoteAddress = http.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public string? RemoteAddress => _remoteAddress;

    public async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    /// <summary>"admin:alice@example.com" or "mailbox:bob@example.com", as the API names its callers.</summary>
    public async Task<string> ActorAsync() => DomainEndpoints.Actor(await UserAsync());

    /// <summary>Whether the signed-in user may change things (an administrator, not a read-only admin), read before the first render.</summary>
    public async Task<bool> CanWriteAsync() => ConsolePolicies.CanWrite(await UserAsync());

    public async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> action) where TService : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task WithAsync<TService>(Func<TService, Task> action) where TService : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<TService>());
    }
}
