using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using MailEngine.Contracts;

namespace MailEngine.Reports;

/// <summary>
/// Reads a DMARC aggregate report (RFC 7489 Appendix C; DMARCbis's namespaced form too: elements
/// are matched by local name). The XML is read without DTDs or external entities (no XXE, no entity
/// expansion bombs); a report missing what every report has is refused with what is missing.
/// </summary>
public static class DmarcReportReader
{
    public static ReceivedReport Read(byte[] xml, string id, DateTimeOffset receivedAt, string recipient)
    {
        XElement root;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = ReportAttachment.MaxExpandedBytes });
            root = XDocument.Load(reader).Root ?? throw new ReportRefusedException("the XML is empty");
        }
        catch (XmlException e)
        {
            throw new ReportRefusedException($"not XML: {e.Message}");
        }

        if (root.Name.LocalName != "feedback") throw new ReportRefusedException($"the XML is a <{root.Name.LocalName}>, not a DMARC <feedback>");
        var metadata = Child(root, "report_metadata");
        var policy = Child(root, "policy_published");
        var range = Child(metadata, "date_range");
        var rows = new List<ReceivedDmarcRow>();
        foreach (var record in Children(root, "record"))
        {
            var row = Child(record, "row");
            var evaluated = Child(row, "policy_evaluated");
            var auth = Optional(record, "auth_results");
            var spf = auth is null ? null : Children(auth, "spf").FirstOrDefault();
            rows.Add(new ReceivedDmarcRow(
                Text(row, "source_ip"),
                long.TryParse(Text(row, "count"), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : throw new ReportRefusedException("a row's <count> is not a number"),
                Text(evaluated, "disposition").ToLowerInvariant(),
                Text(evaluated, "dkim").Equals("pass", StringComparison.OrdinalIgnoreCase),
                Text(evaluated, "spf").Equals("pass", StringComparison.OrdinalIgnoreCase),
                Text(Child(record, "identifiers"), "header_from").ToLowerInvariant(),
                string.Join(' ', (auth is null ? [] : Children(auth, "dkim")).Where(d => Optional(d, "result")?.Value.Trim() == "pass").Select(d => Optional(d, "domain")?.Value.Trim().ToLowerInvariant() ?? "").Where(d => d.Length > 0)),
                spf is null ? "" : Optional(spf, "domain")?.Value.Trim().ToLowerInvariant() ?? "",
                spf is null ? "none" : Optional(spf, "result")?.Value.Trim().ToLowerInvariant() ?? "none"));
        }

        if (rows.Count == 0) throw new ReportRefusedException("the report has no <record>");
        return new ReceivedReport(id, ReceivedReport.Dmarc, receivedAt, recipient,
            Text(policy, "domain").ToLowerInvariant().TrimEnd('.'),
            Text(metadata, "org_name"), Text(metadata, "report_id"),
            Epoch(Text(range, "begin")), Epoch(Text(range, "end")), rows, []);
    }

    private static DateTimeOffset Epoch(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and < 32503680000
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new ReportRefusedException($"the date range has {text}, not seconds since 1970");

    private static IEnumerable<XElement> Children(XElement parent, string name) => parent.Elements().Where(e => e.Name.LocalName == name);

    private static XElement? Optional(XElement parent, string name) => Children(parent, name).FirstOrDefault();

    private static XElement Child(XElement parent, string name) => Optional(parent, name) ?? throw new ReportRefusedException($"<{parent.Name.LocalName}> has no <{name}>");

    private static string Text(XElement parent, string name) => Child(parent, name).Value.Trim();
}
