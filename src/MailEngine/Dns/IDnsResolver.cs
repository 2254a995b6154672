using DnsClient;
using DnsClient.Protocol;

namespace MailEngine.Dns;

/// <summary>The outcome of finding where a domain's mail goes (RFC 5321 5.1).</summary>
public sealed record MailExchangers(IReadOnlyList<string> Hosts, bool NullMx = false, string? Error = null, bool Permanent = false);

/// <summary>Every DNS lookup of the engine goes through this, so tests point it at local servers.</summary>
public interface IDnsResolver
{
    Task<MailExchangers> ResolveMailExchangersAsync(string domain, CancellationToken ct);
}

/// <summary>The machine's resolvers through DnsClient.</summary>
public sealed class SystemDnsResolver : IDnsResolver
{
    private readonly LookupClient _client = new(new LookupClientOptions { UseCache = true, Timeout = TimeSpan.FromSeconds(10), Retries = 2 });

    public async Task<MailExchangers> ResolveMailExchangersAsync(string domain, CancellationToken ct)
    {
        try
        {
            var response = await _client.QueryAsync(domain, QueryType.MX, cancellationToken: ct);
            if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
                return new MailExchangers([], Error: $"{domain}: no such domain", Permanent: true);
            if (response.HasError) return new MailExchangers([], Error: $"{domain}: {response.ErrorMessage}");

            var mx = response.Answers.OfType<MxRecord>().OrderBy(r => r.Preference).ToList();
            // RFC 7505: a single MX of "." says the domain accepts no mail.
            if (mx.Count == 1 && mx[0].Exchange.Value is "." or "") return new MailExchangers([], NullMx: true, Error: $"{domain} accepts no mail (null MX)", Permanent: true);
            if (mx.Count > 0) return new MailExchangers(mx.Select(r => r.Exchange.Value.TrimEnd('.')).Distinct().ToList());
            // RFC 5321 5.1: no MX records, so the domain itself is the implicit MX.
            return new MailExchangers([domain]);
        }
        catch (DnsResponseException e)
        {
            return new MailExchangers([], Error: $"{domain}: {e.Message}");
        }
    }
}
