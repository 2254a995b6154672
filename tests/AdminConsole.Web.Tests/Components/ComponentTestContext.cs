using AdminConsole.Core.Engine;
using AdminConsole.Testing;
using AdminConsole.Web.Components;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace AdminConsole.Web.Tests.Components;

/// <summary>
/// bUnit with the console's real services behind the components: PostgreSQL through the running test
/// host's scopes, its engine, and MudBlazor. The signed-in user is set per test.
/// </summary>
public sealed class ComponentTestContext : BunitContext
{
    public ComponentTestContext(ConsoleHost host, string user = "components@example.com", string role = "administrator")
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        // These components save to and read from the real database: bUnit's default of one second per
        // wait was shorter than a save on a busy two-core CI machine (a group editor save timed out).
        // A wait still fails if the state never comes; it only stops failing because the machine is slow.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        Services.AddMudServices();
        var authorization = AddAuthorization();
        authorization.SetAuthorized(user);
        authorization.SetRoles(role);
        var services = host.Factory.Services;
        Services.AddSingleton(services.GetRequiredService<EngineNodes>());
        Services.AddSingleton(services.GetRequiredService<EnginePushStatus>());
        Services.AddSingleton(services.GetRequiredService<TimeProvider>());
        Services.AddScoped(sp => new ConsoleSession(sp.GetRequiredService<AuthenticationStateProvider>(), services.GetRequiredService<IServiceScopeFactory>(), new HttpContextAccessor()));
        // Popovers (autocomplete lists, menus) render into the provider.
        Render<MudPopoverProvider>();
    }
}
