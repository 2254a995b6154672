using System.IO.Compression;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace MailEngine.Auth.Dmarc.Reports;

/// <summary>
/// One DMARC aggregate report (RFC 7489 §7.2, the XML of Appendix C): one sending domain, one UTC
/// day, the messages grouped into rows by source address, outcome and authentication results. The
/// elements are unqualified, as the large receivers send them and every report parser reads them (the
/// schema as printed declares a target namespace its own type references do not use).
/// </summary>
public sealed class DmarcAggregateReport
{
    public required string OrganizationName { get; init; }
    public required string ReportAddress { get; init; }
    public required string ReportId { get; init; }
    public required DateOnly Day { get; init; }
    public required DmarcPublished Published { get; init; }
    public required IReadOnlyList<DmarcObservation> Observations { get; init; }

    public DateTimeOffset Begin => new(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    public DateTimeOffset End => Begin.AddDays(1).AddSeconds(-1);

    /// <summary>Rows: messages with the same source, identifiers and results are counted together.</summary>
    public IReadOnlyList<(DmarcObservation Sample, int Count)> Rows =>
        Observations.GroupBy(RowKey).Select(g => (g.First(), g.Count())).OrderByDescending(r => r.Item2).ThenBy(r => r.Item1.SourceIp, StringComparer.Ordinal).ToList();

    /// <summary>
    /// The file name RFC 7489 §7.2.1.1 asks for: receiver "!" policy-domain "!" begin "!" end "!" unique-id ".xml.gz",
    /// the unique-id being letters and digits.
    /// </summary>
    public string FileName(string receiver) =>
        $"{receiver}!{Published.Domain}!{Begin.ToUnixTimeSeconds()}!{End.ToUnixTimeSeconds()}!{string.Concat(ReportId.Split('@')[0].Where(char.IsAsciiLetterOrDigit))}.xml.gz";

    public XDocument ToXml()
    {
        var metadata = new XElement("report_metadata",
            new XElement("org_name", OrganizationName),
            new XElement("email", ReportAddress),
            new XElement("report_id", ReportId),
            new XElement("date_range", new XElement("begin", Begin.ToUnixTimeSeconds()), new XElement("end", End.ToUnixTimeSeconds())));
        var policy = new XElement("policy_published",
            new XElement("domain", Published.Domain),
            new XElement("adkim", Published.Adkim),
            new XElement("aspf", Published.Aspf),
            new XElement("p", Published.P),
            new XElement("sp", Published.Sp),
            new XElement("pct", Published.Pct),
            new XElement("fo", Published.Fo));
        var records = Rows.Select(r => Record(r.Sample, r.Count));
        return new XDocument(new XDeclaration("1.0", "UTF-8", null), new XElement("feedback", new XElement("version", "1.0"), metadata, policy, records));
    }

    /// <summary>The XML, gzip'd (RFC 7489 §7.2.1.1: "gzip" is what every receiver sends).</summary>
    public byte[] Gzipped()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        using (var writer = XmlWriter.Create(gzip, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            ToXml().Save(writer);
        return buffer.ToArray();
    }

    private static XElement Record(DmarcObservation o, int count)
    {
        var evaluated = new XElement("policy_evaluated",
            new XElement("disposition", o.Disposition),
            new XElement("dkim", o.DkimAligned ? "pass" : "fail"),
            new XElement("spf", o.SpfAligned ? "pass" : "fail"));
        if (o.Override is { } type)
            evaluated.Add(new XElement("reason", new XElement("type", type), o.OverrideComment is { } comment ? new XElement("comment", comment) : null));
        var identifiers = new XElement("identifiers");
        if (o.EnvelopeTo.Length > 0) identifiers.Add(new XElement("envelope_to", o.EnvelopeTo));
        identifiers.Add(new XElement("envelope_from", o.EnvelopeFrom));
        identifiers.Add(new XElement("header_from", o.HeaderFrom));
        var auth = new XElement("auth_results",
            o.Dkim.Select(d => new XElement("dkim", new XElement("domain", d.Domain), new XElement("selector", d.Selector), new XElement("result", d.Result))),
            new XElement("spf", new XElement("domain", o.Spf.Domain), new XElement("scope", o.Spf.Scope), new XElement("result", o.Spf.Result)));
        return new XElement("record",
            new XElement("row", new XElement("source_ip", SourceIp(o.SourceIp)), new XElement("count", count), evaluated),
            identifiers, auth);
    }

    /// <summary>
    /// The schema's IPAddress: dotted IPv4, or IPv6 as eight groups (its pattern knows no "::"); an
    /// IPv4-mapped address is the IPv4 one.
    /// </summary>
    internal static string SourceIp(string text)
    {
        if (!System.Net.IPAddress.TryParse(text, out var address)) return text;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        return string.Join(':', Enumerable.Range(0, 8).Select(i => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).ToString("x", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static string RowKey(DmarcObservation o) => string.Join('|',
        o.SourceIp, o.HeaderFrom, o.EnvelopeFrom, o.EnvelopeTo, o.Disposition, o.DkimAligned, o.SpfAligned, o.Override, o.OverrideComment,
        string.Join(',', o.Dkim.Select(d => $"{d.Domain}/{d.Selector}/{d.Result}")), $"{o.Spf.Domain}/{o.Spf.Scope}/{o.Spf.Result}");
}
