using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MailEngine.OutboundTls;

/// <summary>
/// One day's SMTP TLS report for one recipient domain (RFC 8460 §4): per policy applied (sts, tlsa,
/// no-policy-found), the count of successful and failed sessions, and the failures grouped by result
/// type, exchanger and address (§4.3, §4.4), as the JSON the RFC's schema gives.
/// </summary>
public sealed class TlsReport
{
    public required string OrganizationName { get; init; }
    public required string ContactInfo { get; init; }
    public required string ReportId { get; init; }
    public required DateOnly Day { get; init; }
    public required string PolicyDomain { get; init; }
    public required IReadOnlyList<TlsSessionRecord> Sessions { get; init; }

    public int Successful => Sessions.Count(s => s.Success);
    public int Failed => Sessions.Count(s => !s.Success);

    public JsonObject Json()
    {
        var policies = new JsonArray();
        foreach (var policy in Sessions.GroupBy(s => (s.PolicyType, Strings: string.Join('\n', s.PolicyStrings))).OrderBy(g => g.Key.PolicyType, StringComparer.Ordinal))
        {
            var first = policy.First();
            var description = new JsonObject { ["policy-type"] = first.PolicyType, ["policy-domain"] = PolicyDomain };
            if (first.PolicyStrings.Count > 0) description["policy-string"] = new JsonArray([.. first.PolicyStrings.Select(p => (JsonNode?)JsonValue.Create(p))]);
            var hosts = policy.Select(s => s.MxHost).Where(h => h.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (hosts.Count > 0) description["mx-host"] = new JsonArray([.. hosts.Select(h => (JsonNode?)JsonValue.Create(h))]);
            var entry = new JsonObject
            {
                ["policy"] = description,
                ["summary"] = new JsonObject
                {
                    ["total-successful-session-count"] = policy.Count(s => s.Success),
                    ["total-failure-session-count"] = policy.Count(s => !s.Success),
                },
            };
            var failures = new JsonArray();
            foreach (var failure in policy.Where(s => !s.Success).GroupBy(s => (s.ResultType, s.MxHost, s.ReceivingIp)).OrderByDescending(g => g.Count()))
            {
                var detail = new JsonObject { ["result-type"] = failure.Key.ResultType };
                if (failure.Key.MxHost.Length > 0) detail["receiving-mx-hostname"] = failure.Key.MxHost;
                if (failure.Key.ReceivingIp is not null) detail["receiving-ip"] = failure.Key.ReceivingIp;
                detail["failed-session-count"] = failure.Count();
                // §4.4: free text for people; ours says what was seen, the last occurrence's words.
                if (failure.Last().Reason is { } reason) detail["failure-reason-code"] = reason.Length > 200 ? reason[..200] : reason;
                failures.Add(detail);
            }

            if (failures.Count > 0) entry["failure-details"] = failures;
            policies.Add(entry);
        }

        return new JsonObject
        {
            ["organization-name"] = OrganizationName,
            ["date-range"] = new JsonObject
            {
                ["start-datetime"] = $"{Day:yyyy-MM-dd}T00:00:00Z",
                ["end-datetime"] = $"{Day:yyyy-MM-dd}T23:59:59Z",
            },
            ["contact-info"] = ContactInfo,
            ["report-id"] = ReportId,
            ["policies"] = policies,
        };
    }

    public byte[] Gzipped()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(JsonSerializer.SerializeToUtf8Bytes(Json()));
        return buffer.ToArray();
    }

    /// <summary>§5.3: "submitter!policy-domain!begin!end!unique-id.json.gz" with Unix times.</summary>
    public string FileName(string submitter)
    {
        var start = new DateTimeOffset(Day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeSeconds();
        return $"{submitter}!{PolicyDomain}!{start}!{start + 86_399}!{ReportId.Split('@')[0]}.json.gz";
    }
}
