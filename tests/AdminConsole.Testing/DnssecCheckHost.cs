namespace AdminConsole.Testing;

/// <summary>
/// A console whose live check asks a validating resolver (unbound) in front of a real BIND 9 that signs
/// its zones: the zone is found through unbound, the records are asked of BIND directly.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DnssecCheckHost : ConsoleHost
{
    public BindServer Bind { get; } = BindServer.Reserve();

    public UnboundServer Resolver { get; } = UnboundServer.Reserve();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Dns:Resolvers:0"] = Resolver.Endpoint,
        ["Dns:AuthoritativePort"] = Bind.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Dns:CheckTimeout"] = "00:00:05",
    };

    public override async Task DisposeAsync()
    {
        await Resolver.DisposeAsync();
        await Bind.DisposeAsync();
        await base.DisposeAsync();
    }
}
