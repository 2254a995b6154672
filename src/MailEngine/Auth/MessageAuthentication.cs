using System.Net;
using MailEngine.Addressing;
using MailEngine.Auth.Arc;
using MailEngine.Auth.Dkim;
using MailEngine.Auth.Dmarc;
using MailEngine.Auth.Spf;
using MailEngine.Dns;
using MimeKit;

namespace MailEngine.Auth;

/// <summary>
/// The inbound checks of one message, once, at the end of DATA: SPF for HELO and MAIL FROM
/// (RFC 7208), every DKIM signature (RFC 6376), DMARC for each From: domain (RFC 7489), the ARC
/// chain (RFC 8617). The engine,
/// the operator tool (adminctl auth-check) and the API run this same code; only the DNS differs.
/// </summary>
public sealed class MessageAuthentication(IDnsLookup dns, PublicSuffixList suffixes, TimeProvider clock, Func<int>? sample = null)
{
    private readonly SpfEvaluator _spf = new(dns);
    private readonly DkimVerification _dkim = new(dns, clock);
    private readonly DmarcEvaluator _dmarc = new(dns, suffixes, sample);
    private readonly ArcVerification _arc = new(dns);

    /// <param name="authservId">Our name in the header (RFC 8601 §2.5): the host name.</param>
    /// <param name="mailFrom">The reverse path, empty for the null sender.</param>
    public async Task<AuthenticationReport> CheckAsync(string authservId, IPAddress client, string helo, string mailFrom, MimeMessage message, CancellationToken ct)
    {
        // An address literal ("[192.0.2.1]") is no domain to ask (RFC 7208 §2.3).
        var heloIsDomain = helo.Length > 0 && !helo.StartsWith('[') && !IPAddress.TryParse(helo, out _);
        var heloSpf = heloIsDomain ? await _spf.CheckHeloAsync(client, helo, ct) : null;
        SpfVerdict? mailFromSpf = mailFrom.Length > 0 ? await _spf.CheckMailFromAsync(client, mailFrom, helo, ct) : heloSpf;
        // DMARC's SPF identity (RFC 7489 §4.1): the MAIL FROM domain, or HELO's for the null sender.
        var spfDomain = mailFrom.Length > 0 ? EmailAddress.DomainOf(mailFrom) : heloIsDomain ? helo : null;
        var dkim = await _dkim.VerifyAsync(message, ct);

        var authors = message.From.Mailboxes.Select(m => m.Address).Where(a => a.Contains('@'))
            .Select(a => EmailAddress.DomainOf(a).TrimEnd('.').ToLowerInvariant()).Distinct().ToList();
        DmarcVerdict dmarc;
        if (authors.Count == 0)
        {
            // RFC 7489 §6.6.1: without one author domain DMARC cannot be applied.
            dmarc = new DmarcVerdict(DmarcResult.PermError, "", message.From.Count == 0 ? "the message has no From: address" : "the From: address has no domain");
        }
        else
        {
            // Several author domains (§6.6.1): each is evaluated and the strictest outcome stands.
            var verdicts = new List<DmarcVerdict>();
            foreach (var author in authors) verdicts.Add(await _dmarc.EvaluateAsync(author, mailFromSpf, spfDomain, dkim, ct));
            dmarc = verdicts.OrderByDescending(v => v.Disposition).ThenByDescending(v => v.Result == DmarcResult.Fail).First();
        }

        var signedByAuthor = authors.Count > 0 && dkim.Any(d => d.Result == DkimResult.Pass && !d.Testing
            && authors.All(a => _dmarc.Aligned(d.Domain, a, DmarcAlignment.Relaxed)));
        var arc = await _arc.VerifyAsync(message, ct);
        return new AuthenticationReport(authservId, mailFrom, helo, mailFromSpf, heloSpf, dkim, dmarc, signedByAuthor, arc);
    }

    /// <summary>Reads a message for the checks: its parts stay in the stream (persistent), so a large one is not copied into memory.</summary>
    public static MimeMessage Load(Stream stream) => MimeMessage.Load(stream, persistent: true);
}
