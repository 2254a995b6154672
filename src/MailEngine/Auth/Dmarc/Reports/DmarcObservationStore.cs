namespace MailEngine.Auth.Dmarc.Reports;

/// <summary>
/// The engine's record of DMARC evaluations for the aggregate reports, one line per message
/// ("dmarc/2026-12-02.jsonl"), refused messages included.
/// </summary>
public sealed class DmarcObservationStore(string directory) : Storage.DailyJournal<DmarcObservation>(directory)
{
    protected override DateTimeOffset At(DmarcObservation entry) => entry.At;
}
