namespace MailEngine.Dns;

/// <summary>The outcome of finding where a domain's mail goes (RFC 5321 5.1).</summary>
/// <param name="Secure">The MX answer was DNSSEC-validated: the next-hop domain is then a DANE reference identifier too (RFC 7672 §2.2.1).</param>
public sealed record MailExchangers(IReadOnlyList<string> Hosts, bool NullMx = false, string? Error = null, bool Permanent = false, bool Secure = false);

/// <summary>Every DNS lookup of the engine goes through this, so tests point it at local servers.</summary>
public interface IDnsResolver
{
    Task<MailExchangers> ResolveMailExchangersAsync(string domain, CancellationToken ct);
}

/// <summary>
/// Exchangers found through the engine's DNS (<see cref="IDnsLookup"/>: the machine's resolvers or
/// Engine:DnsServer), so delivery asks the same resolver as every other check.
/// </summary>
public sealed class SystemDnsResolver(IDnsLookup lookup) : IDnsResolver
{
    public async Task<MailExchangers> ResolveMailExchangersAsync(string domain, CancellationToken ct)
    {
        var answer = await lookup.QueryAsync(domain, DnsRecordKind.Mx, ct);
        return answer.Status switch
        {
            DnsLookupStatus.NoSuchDomain => new MailExchangers([], Error: $"{domain}: no such domain", Permanent: true),
            DnsLookupStatus.Failed => new MailExchangers([], Error: answer.Error ?? $"{domain}: DNS lookup failed"),
            // RFC 7505: a single MX of "." says the domain accepts no mail.
            _ when answer.Values is [""] => new MailExchangers([], NullMx: true, Error: $"{domain} accepts no mail (null MX)", Permanent: true),
            DnsLookupStatus.Found => new MailExchangers(answer.Values.Where(v => v.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList(), Secure: answer.Authenticated),
            // RFC 5321 5.1: no MX records, so the domain itself is the implicit MX.
            _ => new MailExchangers([domain], Secure: answer.Authenticated),
        };
    }
}
