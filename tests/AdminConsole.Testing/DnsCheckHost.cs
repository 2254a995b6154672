namespace AdminConsole.Testing;

/// <summary>A console whose live check asks a real BIND 9 on 127.0.0.1 (as resolver and as the zone's only name server).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DnsCheckHost : ConsoleHost
{
    public BindServer Bind { get; } = BindServer.Reserve();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Dns:Resolvers:0"] = Bind.Endpoint,
        ["Dns:AuthoritativePort"] = Bind.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Dns:CheckTimeout"] = "00:00:05",
        // The engine's inbound checks and the sender check ask it too.
        ["Engine:DnsServer"] = Bind.Endpoint,
    };

    public override async Task DisposeAsync()
    {
        await Bind.DisposeAsync();
        await base.DisposeAsync();
    }
}
