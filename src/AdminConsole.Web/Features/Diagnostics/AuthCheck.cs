using System.Net;
using AdminConsole.Core;
using MailEngine.Addressing;
using MailEngine.Auth;
using MailEngine.Dns;

namespace AdminConsole.Web.Features.Diagnostics;

/// <summary>
/// The engine's inbound checks (SPF, DKIM, DMARC) on a pasted message with the SMTP facts an admin
/// gives: what POST /api/v1/diagnostics/auth-check and the diagnostics page answer, and what
/// `adminctl auth-check` prints. DNS goes where the engine's goes (Engine:DnsServer, else the system resolver).
/// </summary>
public sealed class AuthCheck(IConfiguration configuration, TimeProvider clock)
{
    /// <summary>The largest message checked here: a pasted message, not a mailbox export.</summary>
    public const int MaxMessageBytes = 512 * 1024;

    public sealed record Request(string? Message, string? ClientIp, string? Helo, string? MailFrom);

    public sealed record SpfView(string Result, string Domain, string? Mechanism, string Reason);

    public sealed record DkimView(string Result, string Domain, string Selector, string Algorithm, string Reason, bool Testing, bool BodyLengthLimited);

    public sealed record DmarcView(string Result, string FromDomain, string? Policy, string Disposition, bool SpfAligned, bool DkimAligned, string? PolicyDomain, string Reason);

    public sealed record ArcSealView(int Instance, string Domain, string Selector, string ChainValidation, bool Verified);

    /// <param name="NewestResults">What the newest forwarder's ARC-Authentication-Results say ("spf=pass dmarc=pass"), empty without a chain.</param>
    public sealed record ArcView(string Result, string Reason, IReadOnlyList<ArcSealView> Seals, string NewestResults);

    /// <param name="MailFromSpf">SPF for MAIL FROM (or postmaster@HELO for the null sender); null when there is no domain to check.</param>
    /// <param name="AuthenticationResults">The header field the engine adds to the stored copy (RFC 8601), unfolded.</param>
    /// <param name="Summary">The same in words, one check per line, as adminctl prints it.</param>
    /// <param name="Arc">The ARC chain (RFC 8617): none, pass or fail, each seal, what the newest hop saw.</param>
    public sealed record Result(SpfView? MailFromSpf, SpfView? HeloSpf, IReadOnlyList<DkimView> Dkim, DmarcView? Dmarc, ArcView Arc, IReadOnlyList<string> Symbols, string AuthenticationResults, string Summary);

    public async Task<Result> RunAsync(Request request, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Message)) errors.Add("message", "Paste the message: its header fields, a blank line and its body.");
        else if (System.Text.Encoding.UTF8.GetByteCount(request.Message) > MaxMessageBytes) errors.Add("message", $"A message checked here is at most {MaxMessageBytes / 1024} KiB.");
        if (!IPAddress.TryParse(request.ClientIp?.Trim(), out var client)) errors.Add("clientIp", "The address the message came from, IPv4 or IPv6 (192.0.2.1, 2001:db8::1).");
        var helo = request.Helo?.Trim() ?? "";
        if (helo.Length == 0 || helo.Length > 255 || helo.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) errors.Add("helo", "The name the client gave in HELO/EHLO, such as mail.example.com.");
        var mailFrom = (request.MailFrom ?? "").Trim().Trim('<', '>');
        if (mailFrom.Length > 0 && !EmailAddress.TryParse(mailFrom, out _, out var why)) errors.Add("mailFrom", $"The envelope sender (MAIL FROM), or <> for a bounce: {why}");
        errors.ThrowIfAny();

        var message = MessageAuthentication.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(NormalizeLineEndings(request.Message!))));
        var dns = SystemDnsLookup.For(configuration["Engine:DnsServer"]);
        var authserv = configuration["Engine:HostName"] ?? System.Net.Dns.GetHostName();
        var report = await new MessageAuthentication(dns, PublicSuffixList.System, clock).CheckAsync(authserv, client!, helo, mailFrom, message, ct);

        static SpfView? Spf(MailEngine.Auth.Spf.SpfVerdict? v) => v is null ? null : new(v.Keyword, v.Domain, v.Mechanism, v.Reason);
        return new Result(
            Spf(report.MailFromSpf), Spf(report.HeloSpf),
            [.. report.Dkim.Select(d => new DkimView(d.Keyword, d.Domain, d.Selector, d.Algorithm, d.Reason, d.Testing, d.BodyLengthLimited))],
            report.Dmarc is { } m ? new DmarcView(m.Keyword, m.FromDomain, m.Policy is { } p ? MailEngine.Auth.Dmarc.DmarcVerdict.Name(p) : null,
                MailEngine.Auth.Dmarc.DmarcVerdict.Name(m.Disposition), m.SpfAligned, m.DkimAligned, m.PolicyDomain, m.Reason) : null,
            Arc(report.Arc ?? MailEngine.Auth.Arc.ArcVerdict.None),
            report.Symbols, report.HeaderValue, report.Describe());
    }

    private static ArcView Arc(MailEngine.Auth.Arc.ArcVerdict arc) =>
        new(arc.Keyword, arc.Reason, [.. arc.Seals.Select(s => new ArcSealView(s.Instance, s.Domain, s.Selector, s.ChainValidation, s.Verified))], arc.NewestResultsText);

    /// <summary>A pasted message has the browser's line endings (LF); a message on the wire has CRLF, which DKIM canonicalization expects.</summary>
    private static string NormalizeLineEndings(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
}
