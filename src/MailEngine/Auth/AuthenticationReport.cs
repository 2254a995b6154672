using System.Text;
using MailEngine.Auth.Arc;
using MailEngine.Auth.Dkim;
using MailEngine.Auth.Dmarc;
using MailEngine.Auth.Spf;
using MailEngine.Scanner;

namespace MailEngine.Auth;

/// <summary>
/// What the inbound checks found for one message: SPF for MAIL FROM and for HELO, every DKIM
/// signature, DMARC for the From: domain and the ARC chain; as an Authentication-Results header field (RFC 8601)
/// and as the scanner's symbols (<see cref="AuthenticationSymbol"/>).
/// </summary>
/// <param name="MailFrom">The reverse path, empty for the null sender.</param>
/// <param name="MailFromSpf">SPF for MAIL FROM (for the null sender: postmaster@HELO, RFC 7208 §2.4); null when HELO is no domain and MAIL FROM is empty.</param>
/// <param name="HeloSpf">SPF for the HELO name (RFC 7208 §2.3); null when HELO is an address literal.</param>
/// <param name="DkimSignedByAuthor">A passing signature's d= is the From: domain's organization (relaxed alignment), whether or not it publishes DMARC.</param>
/// <param name="Arc">The ARC chain on arrival (RFC 8617 §5.2); null when it was not checked.</param>
public sealed record AuthenticationReport(
    string AuthservId,
    string MailFrom,
    string Helo,
    SpfVerdict? MailFromSpf,
    SpfVerdict? HeloSpf,
    IReadOnlyList<DkimSignatureVerdict> Dkim,
    DmarcVerdict? Dmarc,
    bool DkimSignedByAuthor = false,
    ArcVerdict? Arc = null)
{
    public const string FieldName = "Authentication-Results";

    /// <summary>The header field, folded one result per line, ending in CRLF.</summary>
    public string HeaderField => $"{FieldName}: {string.Join(";\r\n\t", [AuthservId, .. Results()])}\r\n";

    /// <summary>The field's value unfolded: what the operator tool and the API show.</summary>
    public string HeaderValue => string.Join("; ", [AuthservId, .. Results()]);

    private IEnumerable<string> Results()
    {
        if (MailFromSpf is { } spf)
        {
            var identity = MailFrom.Length > 0 ? $"smtp.mailfrom={Value(MailFrom)}" : $"smtp.helo={Value(Helo)}";
            yield return $"spf={spf.Keyword} ({Comment(spf.Reason)}) {identity}";
        }
        else
        {
            yield return "spf=none (no domain to check: the null sender and an address literal in HELO)";
        }

        if (HeloSpf is { } helo && MailFrom.Length > 0) yield return $"spf={helo.Keyword} ({Comment(helo.Reason)}) smtp.helo={Value(Helo)}";

        if (Dkim.Count == 0) yield return "dkim=none (no signatures)";
        foreach (var d in Dkim)
        {
            var properties = new StringBuilder($"dkim={d.Keyword} ({Comment(d.Reason)})");
            if (d.Domain.Length > 0) properties.Append(" header.d=").Append(Value(d.Domain));
            if (d.Selector.Length > 0) properties.Append(" header.s=").Append(Value(d.Selector));
            if (d.SignaturePrefix.Length > 0) properties.Append(" header.b=").Append(Value(d.SignaturePrefix));
            yield return properties.ToString();
        }

        if (Dmarc is { } dmarc)
            yield return dmarc.FromDomain.Length > 0
                ? $"dmarc={dmarc.Keyword} ({Comment(dmarc.Comment)}) header.from={Value(dmarc.FromDomain)}"
                : $"dmarc={dmarc.Keyword} ({Comment(dmarc.Reason)})";

        // RFC 8617 §10.1's method "arc"; the ARC signer of a forward takes its cv= from this result.
        if (Arc is { } arc)
        {
            var saw = arc.NewestResultsText is { Length: > 0 } text ? $"; it saw {text}" : "";
            yield return $"arc={arc.Keyword} ({Comment(arc.Reason + saw)})";
        }
    }

    /// <summary>
    /// The results in words, one per line, for the operator tool and the diagnostics page: each check,
    /// its result, what it checked and why, then the header field the engine adds.
    /// </summary>
    public string Describe()
    {
        var text = new StringBuilder();
        if (MailFromSpf is { } spf)
            text.Append($"spf {(MailFrom.Length > 0 ? $"mail-from {MailFrom}" : $"mail-from <> (postmaster@{Helo})")}: {spf.Keyword}{Matched(spf)} - {spf.Reason}\n");
        else
            text.Append("spf mail-from <>: none - the null sender and an address literal in HELO leave no domain to check\n");
        if (HeloSpf is { } helo) text.Append($"spf helo {Helo}: {helo.Keyword}{Matched(helo)} - {helo.Reason}\n");
        if (Dkim.Count == 0) text.Append("dkim: none - the message has no DKIM-Signature\n");
        foreach (var d in Dkim)
        {
            var flags = (d.Testing ? " [testing key, t=y]" : "") + (d.BodyLengthLimited ? " [l=: body signed in part]" : "");
            text.Append($"dkim d={d.Domain} s={d.Selector} a={d.Algorithm}: {d.Keyword}{flags} - {d.Reason}\n");
        }

        if (Dmarc is { } dmarc)
        {
            var policy = dmarc.Policy is { } p ? $" (p={DmarcVerdict.Name(p)}, disposition {DmarcVerdict.Name(dmarc.Disposition)}{(dmarc.PolicyDomain is { } at && at != dmarc.FromDomain ? $", record of {at}" : "")})" : "";
            text.Append($"dmarc {(dmarc.FromDomain.Length > 0 ? dmarc.FromDomain : "(no From domain)")}: {dmarc.Keyword}{policy} - {dmarc.Reason}\n");
        }

        if (Arc is { } arc)
        {
            var seals = string.Join(", ", arc.Seals.Select(s => $"i={s.Instance} d={s.Domain} s={s.Selector} cv={s.ChainValidation}{(s.Verified ? "" : " (does not verify)")}"));
            text.Append($"arc: {arc.Keyword} - {arc.Reason}{(seals.Length > 0 ? $" [{seals}]" : "")}{(arc.NewestResultsText is { Length: > 0 } saw ? $"; the newest hop saw {saw}" : "")}\n");
        }

        text.Append(HeaderField.Replace("\r\n", "\n", StringComparison.Ordinal));
        return text.ToString();
    }

    private static string Matched(SpfVerdict spf) => spf.Mechanism is { } m ? $" (matched {m})" : "";

    /// <summary>The symbols these results give the spam verdict.</summary>
    public IReadOnlyList<string> Symbols => SymbolsFor(arcTrusted: false);

    /// <summary>
    /// The symbols for a recipient domain; <paramref name="arcTrusted"/>: a forwarder it trusts vouches
    /// for the sender (<see cref="ArcVerdict.Vouches"/>), so DMARC's policy symbol gives way to ARC_TRUSTED.
    /// </summary>
    public IReadOnlyList<string> SymbolsFor(bool arcTrusted)
    {
        var symbols = new List<string>();
        if (MailFromSpf is { } spf)
        {
            symbols.Add((spf.Result switch
            {
                SpfResult.Pass => AuthenticationSymbol.SpfPass,
                SpfResult.Fail => AuthenticationSymbol.SpfFail,
                SpfResult.SoftFail => AuthenticationSymbol.SpfSoftFail,
                SpfResult.Neutral => AuthenticationSymbol.SpfNeutral,
                SpfResult.PermError => AuthenticationSymbol.SpfPermError,
                SpfResult.TempError => AuthenticationSymbol.SpfTempError,
                _ => AuthenticationSymbol.SpfNone,
            }).Name);
        }

        if (HeloSpf?.Result == SpfResult.Fail) symbols.Add(AuthenticationSymbol.SpfHeloFail.Name);
        if (Dkim.Any(d => d.Result == DkimResult.Pass)) symbols.Add(AuthenticationSymbol.DkimValid.Name);
        if (DkimSignedByAuthor) symbols.Add(AuthenticationSymbol.DkimValidAuthor.Name);
        if (Dkim.Any(d => d.Result is DkimResult.Fail or DkimResult.PermError)) symbols.Add(AuthenticationSymbol.DkimInvalid.Name);
        if (Dkim.Any(d => d.Result == DkimResult.TempError)) symbols.Add(AuthenticationSymbol.DkimTempError.Name);
        switch (Dmarc)
        {
            case { Result: DmarcResult.Pass }:
                symbols.Add(AuthenticationSymbol.DmarcPass.Name);
                break;
            case { Result: DmarcResult.Fail } when arcTrusted:
                symbols.Add(AuthenticationSymbol.ArcTrusted.Name);
                break;
            case { Result: DmarcResult.Fail } failed:
                symbols.Add((failed.Disposition switch
                {
                    DmarcPolicy.Reject => AuthenticationSymbol.DmarcPolicyReject,
                    DmarcPolicy.Quarantine => AuthenticationSymbol.DmarcPolicyQuarantine,
                    _ => AuthenticationSymbol.DmarcPolicyNone,
                }).Name);
                break;
        }

        if (Arc?.Result == ArcResult.Pass) symbols.Add(AuthenticationSymbol.ArcValid.Name);
        if (Arc?.Result == ArcResult.Fail) symbols.Add(AuthenticationSymbol.ArcInvalid.Name);
        symbols.Sort(StringComparer.Ordinal);
        return symbols;
    }

    /// <summary>An RFC 5322 comment's text: parentheses and backslashes escaped, no line breaks or controls, not endless.</summary>
    internal static string Comment(string text)
    {
        var result = new StringBuilder();
        foreach (var c in text.Length > 200 ? text[..200] + "…" : text)
        {
            if (char.IsControl(c)) result.Append(' ');
            else if (c is '(' or ')' or '\\') result.Append('\\').Append(c);
            else result.Append(c);
        }

        return result.ToString();
    }

    /// <summary>A property value (RFC 8601 pvalue): an address or domain as is when it is plain, otherwise a quoted-string.</summary>
    internal static string Value(string text)
    {
        if (text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.@".Contains(c))) return text;
        return "\"" + string.Concat(text.Where(c => !char.IsControl(c)).Select(c => c is '"' or '\\' ? "\\" + c : c.ToString())) + "\"";
    }
}
