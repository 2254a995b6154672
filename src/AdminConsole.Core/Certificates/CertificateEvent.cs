namespace AdminConsole.Core.Certificates;

/// <summary>One step of a certificate's life as the page lists it: ordered, validated, issued, failed, uploaded, revoked.</summary>
public sealed class CertificateEvent
{
    public long Id { get; set; }
    public Guid CertificateId { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>order, challenge, validation, finalize, issued, failed, uploaded, revoked, renewal-window.</summary>
    public required string Step { get; set; }

    public required string Message { get; set; }
}
