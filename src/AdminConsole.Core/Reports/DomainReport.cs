using System.Text.Json;
using AdminConsole.Core.Domains;
using MailEngine.Contracts;

namespace AdminConsole.Core.Reports;

/// <summary>
/// A DMARC aggregate or TLS report another mail system sent about one of our domains (or a message
/// at a report address that was refused, with the reason), as an engine node read it. The rows and
/// policies are kept as the node gave them (JSON); the page and the API total them per day and source.
/// </summary>
public sealed class DomainReport
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public Guid DomainId { get; set; }
    public MailDomain? Domain { get; set; }

    /// <summary>The node that received it and its name for it: importing twice adds nothing.</summary>
    public string Node { get; set; } = "";
    public string SourceId { get; set; } = "";

    /// <summary><see cref="ReceivedReport.Dmarc"/> or <see cref="ReceivedReport.Tls"/>.</summary>
    public string Kind { get; set; } = ReceivedReport.Dmarc;
    public string Organization { get; set; } = "";
    public string ReportId { get; set; } = "";
    public DateTimeOffset Begin { get; set; }
    public DateTimeOffset End { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public string? Refused { get; set; }

    /// <summary>The report's rows (DMARC) or policies (TLS) as JSON.</summary>
    public string Content { get; set; } = "[]";

    public IReadOnlyList<ReceivedDmarcRow> Rows => Kind == ReceivedReport.Dmarc ? JsonSerializer.Deserialize<List<ReceivedDmarcRow>>(Content, JsonSerializerOptions.Web) ?? [] : [];

    public IReadOnlyList<ReceivedTlsPolicy> Policies => Kind == ReceivedReport.Tls ? JsonSerializer.Deserialize<List<ReceivedTlsPolicy>>(Content, JsonSerializerOptions.Web) ?? [] : [];

    public static DomainReport From(ReceivedReport report, string node, Guid domainId) => new()
    {
        DomainId = domainId,
        Node = node,
        SourceId = report.Id,
        Kind = report.Kind,
        Organization = Cut(report.Organization, 255),
        ReportId = Cut(report.ReportId, 255),
        Begin = report.Begin,
        End = report.End,
        ReceivedAt = report.ReceivedAt,
        Refused = report.Refused is { } why ? Cut(why, 1000) : null,
        Content = report.Kind == ReceivedReport.Tls ? JsonSerializer.Serialize(report.Policies, JsonSerializerOptions.Web) : JsonSerializer.Serialize(report.Rows, JsonSerializerOptions.Web),
    };

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];
}
