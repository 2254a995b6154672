using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailEngine.Dns;

namespace MailEngine.OutboundTls;

/// <summary>
/// Decides, per exchanger of a recipient domain, what TLS remote delivery must insist on, checks the
/// certificate the exchanger presents against it, and records each outcome for TLS-RPT (RFC 8460).
/// DANE comes first where the exchanger's TLSA records are DNSSEC-validated (RFC 8461 §2: MTA-STS
/// does not apply to such a host); else the domain's MTA-STS policy; else opportunistic TLS.
/// </summary>
public sealed class OutboundTlsPolicy(IDnsLookup dns, OutboundTlsOptions options, MtaStsPolicyCache sts, CertificateTrust trust, TlsSessionStore sessions, TimeProvider clock)
{
    public async Task<MtaStsLookup?> StsAsync(string domain, CancellationToken ct) =>
        options.MtaSts ? await sts.GetAsync(domain, ct) : null;

    public async Task<TlsRequirement> ForExchangerAsync(string domain, MailExchangers exchangers, string host, int port, MtaStsLookup? policy, CancellationToken ct)
    {
        if (options.Dane && !IPAddress.TryParse(host, out _))
        {
            // RFC 7672 §2.2.2 (with RFC 6698 §3: the port connected to): _25._tcp.<mx host>.
            var name = $"_{port}._tcp.{host}";
            var tlsa = await dns.QueryAsync(name, DnsRecordKind.Tlsa, ct);
            if (tlsa.Status == DnsLookupStatus.Found && tlsa.Authenticated)
            {
                var records = tlsa.Values.Select(TlsaAssociation.Parse).OfType<TlsaAssociation>().ToList();
                // §3.2.2: the MX host name, and the next-hop domain only when the MX answer was secure.
                IReadOnlyList<string> names = exchangers.Secure && !string.Equals(domain, host, StringComparison.OrdinalIgnoreCase) ? [host, domain] : [host];
                // §2.2: records that exist but none usable still make TLS mandatory, without authentication.
                return new TlsRequirement(TlsRequirement.TlsaPolicy, true, tlsa.Values, [.. records.Where(r => r.Usable)], names, null);
            }

            if (tlsa.Status == DnsLookupStatus.Failed)
            {
                // §2.1.1: a TLSA lookup that fails for a signed host may be an attacker hiding the records: not that host.
                var address = await dns.QueryAsync(host, DnsRecordKind.A, ct);
                if (address.Authenticated)
                    return new TlsRequirement(TlsRequirement.TlsaPolicy, true, [], [], [host], null,
                        Refusal: new TlsFailure(TlsFailure.DnssecInvalid, $"the TLSA lookup of {name} failed ({tlsa.Error}) though {host} is DNSSEC-signed"));
            }
        }

        if (policy?.Policy is { Mode: not MtaStsMode.None } sts)
        {
            var enforce = sts.Mode == MtaStsMode.Enforce;
            var strings = sts.Text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
            var unlisted = sts.Matches(host) ? null
                : new TlsFailure(TlsFailure.ValidationFailure, $"{host} is not an MX of {domain}'s MTA-STS policy (mx: {string.Join(", ", sts.Mx)})");
            return new TlsRequirement(TlsRequirement.StsPolicy, enforce, strings, [], [host], sts, Refusal: enforce ? unlisted : null, ReportedFailure: enforce ? null : unlisted);
        }

        return TlsRequirement.Opportunistic;
    }

    /// <summary>The presented certificate against the requirement; null when it meets it.</summary>
    public TlsFailure? Check(TlsRequirement requirement, string host, X509Certificate2 leaf, X509Chain? chain, SslPolicyErrors errors)
    {
        var presented = CertificateTrust.Presented(leaf, chain);
        if (requirement.Dane)
            return requirement.Tlsa.Count == 0 || DaneAuthentication.Verify(requirement.Tlsa, leaf, presented, requirement.ReferenceNames, clock.GetUtcNow()) is not { } why
                ? null
                : new TlsFailure(TlsFailure.ValidationFailure, $"{host}: {why} (RFC 7672)");
        return requirement.Sts is not null ? trust.Validate(leaf, presented, errors, host, clock.GetUtcNow()) : null;
    }

    public void Record(string domain, TlsRequirement requirement, string host, string? ip, TlsFailure? failure) =>
        sessions.Record(new TlsSessionRecord(clock.GetUtcNow(), domain.ToLowerInvariant(), requirement.PolicyType, requirement.PolicyStrings, host, ip, failure?.ResultType, failure?.Reason));
}
