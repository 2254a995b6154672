namespace AdminConsole.Core.Certificates.Acme;

/// <summary>An identifier an order is for (RFC 8555 §7.1.4); only "dns" here.</summary>
public sealed record AcmeIdentifier(string Type, string Value)
{
    public static AcmeIdentifier Dns(string name) => new("dns", name);
}
