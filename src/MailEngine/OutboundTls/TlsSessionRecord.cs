namespace MailEngine.OutboundTls;

/// <summary>
/// One delivery attempt's TLS outcome with one exchanger of a recipient domain, as TLS-RPT counts
/// them (RFC 8460 §4.3): under which policy, and, when it failed, the result type and why.
/// </summary>
/// <param name="PolicyType">"sts", "tlsa" or "no-policy-found".</param>
/// <param name="PolicyStrings">The policy as published (the MTA-STS body's lines, or the TLSA records).</param>
public sealed record TlsSessionRecord(
    DateTimeOffset At, string Domain, string PolicyType, IReadOnlyList<string> PolicyStrings, string MxHost, string? ReceivingIp,
    string? ResultType = null, string? Reason = null)
{
    public bool Success => ResultType is null;
}

/// <summary>The TLS outcomes of remote delivery per day ("tls-rpt/2026-12-02.jsonl"), for the daily TLS reports.</summary>
public sealed class TlsSessionStore(string directory) : Storage.DailyJournal<TlsSessionRecord>(directory)
{
    protected override DateTimeOffset At(TlsSessionRecord entry) => entry.At;
}
