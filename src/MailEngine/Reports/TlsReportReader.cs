using System.Text.Json;
using MailEngine.Contracts;

namespace MailEngine.Reports;

/// <summary>
/// Reads an SMTP TLS report (RFC 8460 §4: JSON with organization-name, date-range, report-id and
/// policies, each with its summary of successful and failed sessions and the failure details).
/// </summary>
public static class TlsReportReader
{
    public static ReceivedReport Read(byte[] json, string id, DateTimeOffset receivedAt, string recipient)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ReportRefusedException("the JSON is not an object");
            var range = Property(root, "date-range");
            var policies = new List<ReceivedTlsPolicy>();
            foreach (var entry in Property(root, "policies").EnumerateArray())
            {
                var policy = Property(entry, "policy");
                var summary = Property(entry, "summary");
                var failures = entry.TryGetProperty("failure-details", out var details) && details.ValueKind == JsonValueKind.Array
                    ? details.EnumerateArray().Select(d => d.TryGetProperty("result-type", out var t) ? t.GetString() ?? "" : "").Where(t => t.Length > 0).Distinct().ToList()
                    : [];
                policies.Add(new ReceivedTlsPolicy(
                    String(policy, "policy-type"), String(policy, "policy-domain").ToLowerInvariant().TrimEnd('.'),
                    Property(summary, "total-successful-session-count").GetInt64(), Property(summary, "total-failure-session-count").GetInt64(), failures));
            }

            if (policies.Count == 0) throw new ReportRefusedException("the report has no policies");
            return new ReceivedReport(id, ReceivedReport.Tls, receivedAt, recipient, policies[0].PolicyDomain,
                String(root, "organization-name"), String(root, "report-id"),
                Property(range, "start-datetime").GetDateTimeOffset(), Property(range, "end-datetime").GetDateTimeOffset(), [], policies);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ReportRefusedException($"not a TLS report (RFC 8460 §4): {e.Message}");
        }
    }

    private static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : throw new ReportRefusedException($"the report has no \"{name}\"");

    private static string String(JsonElement element, string name) => Property(element, name).GetString() ?? throw new ReportRefusedException($"\"{name}\" is not a string");
}
